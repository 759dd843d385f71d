// Autosave of a report draft: a few seconds after the last change (and at most every 30 seconds
// while typing goes on) the form is posted to the autosave address. The server saves only the
// sections whose text differs from what this page loaded (each section carries the fingerprint and
// version it was loaded at), so two people writing different sections never collide. The answer
// carries each saved section's new version and fingerprint; when someone else saved a section in
// between, nothing is saved, their text is shown under that section and this page stops saving
// automatically: Save then shows both texts to merge. Without JavaScript, Save works the same way.
const form = document.querySelector("form[data-report-autosave]");
if (form) {
  const status = form.querySelector("[data-autosave-status]");
  const quiet = 4000;
  const longest = 30000;
  let timer = null;
  let firstChange = 0;
  let saving = false;
  let stopped = false;
  let pending = false;

  const showTheirs = (key, theirs) => {
    const section = form.querySelector(`[data-section="${key}"]`);
    if (!section || section.querySelector("[data-theirs]")) return;
    const box = document.createElement("div");
    box.className = "nhsuk-warning-callout";
    box.dataset.theirs = key;
    const heading = document.createElement("h3");
    heading.className = "nhsuk-warning-callout__label";
    heading.textContent = "Saved by someone else while you were editing";
    const text = document.createElement("pre");
    text.className = "casework-theirs";
    text.textContent = theirs.body;
    box.append(heading, text);
    section.querySelector("textarea").before(box);
  };

  const save = async () => {
    timer = null;
    firstChange = 0;
    if (stopped) return;
    if (saving) { pending = true; return; }
    saving = true;
    const body = new FormData(form);
    try {
      const response = await fetch(form.dataset.reportAutosave, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.saved) {
        for (const [key, saved] of Object.entries(answer.sections)) {
          form.querySelector(`input[name="v_${key}"]`).value = saved.version;
          form.querySelector(`input[name="h_${key}"]`).value = saved.hash;
        }
      } else if (answer.conflict) {
        stopped = true;
        for (const [key, theirs] of Object.entries(answer.theirs)) showTheirs(key, theirs);
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
