// Autosave of an assessment draft: every 30 seconds, if anything changed, post the whole form to
// the autosave address. The answer carries the new version (kept in the form, so the next save
// names it) or, when someone else saved in between, why nothing was saved: the page then stops
// saving and says so, and the Save button shows the conflict in full. Without JavaScript, Save works.
const form = document.querySelector("form[data-autosave-url]");
if (form) {
  const status = form.querySelector("[data-autosave-status]");
  const version = form.querySelector("input[name=version]");
  let dirty = false;
  let stopped = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("change", () => { dirty = true; });
  const save = async () => {
    if (!dirty || stopped) return;
    dirty = false;
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
      } else {
        dirty = true;
      }
      status.textContent = answer.message;
    } catch {
      dirty = true;
      status.textContent = "Not saved automatically: the connection failed. Use Save.";
    }
  };
  setInterval(save, 30000);
}
