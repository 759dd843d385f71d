// Autosave of a report draft (the timing and the conflict stop are in autosave.js). The server saves
// only the sections whose text differs from what this page loaded (each section carries the
// fingerprint and version it was loaded at), so two people writing different sections never collide.
// The answer carries each saved section's new version and fingerprint; when someone else saved a
// section in between, nothing is saved and their text is shown under that section: Save then shows
// both texts to merge.
import { autosave } from "./autosave.js";

const form = document.querySelector("form[data-report-autosave]");
if (form) {
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

  autosave(form, form.dataset.reportAutosave, {
    onSaved: (answer) => {
      for (const [key, saved] of Object.entries(answer.sections)) {
        form.querySelector(`input[name="v_${key}"]`).value = saved.version;
        form.querySelector(`input[name="h_${key}"]`).value = saved.hash;
      }
    },
    onConflict: (answer) => {
      for (const [key, theirs] of Object.entries(answer.theirs)) showTheirs(key, theirs);
    },
  });
}
