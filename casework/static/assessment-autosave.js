// Autosave of an assessment draft (the timing and the conflict stop are in autosave.js): the whole
// form is posted; the answer carries the new version, kept in the form so the next save names it,
// or, when someone else saved in between, why nothing was saved.
import { autosave } from "./autosave.js";

const form = document.querySelector("form[data-autosave-url]");
if (form) {
  const version = form.querySelector("input[name=version]");
  autosave(form, form.dataset.autosaveUrl, {
    prepare: (body) => body.delete("then"),
    onSaved: (answer) => { version.value = answer.version; },
  });
}
