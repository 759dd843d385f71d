import { initAll } from "./vendor/nhsuk/nhsuk-frontend.min.js";

// NHS.UK frontend marks a radio that reveals a further question with aria-expanded, which the
// radio role does not allow (axe-core: aria-allowed-attr, critical): a screen reader may misread
// it. The radio keeps aria-controls, and the revealed question follows it in the reading order, so
// the attribute is taken off whenever the script sets it. Checkboxes may carry it and keep it.
function dropAriaExpanded(radio) {
  if (radio instanceof HTMLInputElement && radio.type === "radio" && radio.hasAttribute("aria-expanded")) {
    radio.removeAttribute("aria-expanded");
  }
}
new MutationObserver((changes) => changes.forEach((change) => dropAriaExpanded(change.target))).observe(document.body, {
  subtree: true,
  attributes: true,
  attributeFilter: ["aria-expanded"],
});

initAll();
document.querySelectorAll("input[type=radio][aria-expanded]").forEach(dropAriaExpanded);

// On a phone a wide table scrolls sideways inside itself (casework.css); a keyboard user must be
// able to reach it to scroll it, so a table that overflows takes focus, named by its caption.
function scrollableTablesFocusable() {
  for (const table of document.querySelectorAll("main table")) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.tabIndex = 0;
      if (!table.hasAttribute("aria-label")) {
        const caption = table.querySelector("caption");
        table.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      }
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  }
}
scrollableTablesFocusable();
window.addEventListener("resize", scrollableTablesFocusable);

// A part of a page that takes long to work out (the duplicate check on a person page) is loaded
// after the page has been shown: its placeholder links to the same answer as a page of its own,
// for when scripts do not run, and is replaced in place when the answer arrives.
for (const slot of document.querySelectorAll("[data-fragment-src]")) {
  fetch(slot.dataset.fragmentSrc, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
    .then((html) => {
      slot.innerHTML = html;
    })
    .catch(() => {
      // The link stays: the check can still be opened as a page.
    });
}
