// Autosave of an assessment draft: a few seconds after the last change (and at most every 30
// seconds while typing goes on), the whole form is posted to the autosave address. The answer
// carries the new version (kept in the form, so the next save names it) or, when someone else saved
// in between, why nothing was saved: the page then stops saving and says so, and the Save button
// shows the conflict in full. Without JavaScript, Save works as before.
const form = document.querySelector("form[data-autosave-url]");
if (form) {
  const status = form.querySelector("[data-autosave-status]");
  const version = form.querySelector("input[name=version]");
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
    body.delete("then");
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.saved) {
        version.value = answer.version;
      } else if (answer.conflict) {
        stopped = true;
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
