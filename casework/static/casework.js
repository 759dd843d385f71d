import { initAll } from "./vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

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
