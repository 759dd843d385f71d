// Autosave, shared by the assessment and report drafts: a few seconds after the last change (and at
// most every 30 seconds while typing goes on) the form is posted to `url`. The server answers JSON
// with `saved`, `conflict` and a `message` shown in the form's [data-autosave-status]. On a conflict
// the page stops saving automatically (Save then shows the conflict in full). `prepare(body)` may
// trim what is posted, `onSaved(answer)` keeps the new versions in the form, `onConflict(answer)`
// shows what someone else saved. Without JavaScript, Save works the same way.
export function autosave(form, url, { prepare = () => {}, onSaved = () => {}, onConflict = () => {} } = {}) {
  const status = form.querySelector("[data-autosave-status]");
  const quiet = 4000;
  const longest = 30000;
  let timer = null;
  let firstChange = 0;
  let saving = false;
  let stopped = false;
  let pending = false;

  const save = async () => {
    timer = null;
    firstChange = 0;
    if (stopped) return;
    if (saving) { pending = true; return; }
    saving = true;
    const body = new FormData(form);
    prepare(body);
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.saved) {
        onSaved(answer);
      } else if (answer.conflict) {
        stopped = true;
        onConflict(answer);
      }
      status.textContent = answer.message;
    } catch {
      status.textContent = "Not saved automatically: the connection failed. Use Save.";
    } finally {
      saving = false;
      if (pending) { pending = false; schedule(); }
    }
  };

  const schedule = () => {
    if (stopped) return;
    const now = Date.now();
    if (!firstChange) firstChange = now;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, Math.min(quiet, Math.max(0, firstChange + longest - now)));
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
}
