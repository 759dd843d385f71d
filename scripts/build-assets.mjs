// Copy the built NHS.UK frontend and htmx from node_modules into casework/static/vendor.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "casework", "static", "vendor");
const nhsuk = join(root, "node_modules", "nhsuk-frontend", "dist", "nhsuk");

rmSync(vendor, { recursive: true, force: true });
mkdirSync(join(vendor, "nhsuk"), { recursive: true });
for (const file of ["nhsuk-frontend.min.css", "nhsuk-frontend.min.css.map", "nhsuk-frontend.min.js", "nhsuk-frontend.min.js.map"]) {
  cpSync(join(nhsuk, file), join(vendor, "nhsuk", file));
}
// The NHS.UK stylesheet loads Frutiger from assets.nhs.uk, a third-party origin that a closed NHS
// network may block and that the CSP would have to allow. The service serves every byte itself:
// the @font-face rules that point elsewhere are removed, so pages use the stylesheet's own fallback
// (Arial, then the system sans-serif). casework/core/tests/test_no_third_party_origins.py checks.
const css = join(vendor, "nhsuk", "nhsuk-frontend.min.css");
const stripped = readFileSync(css, "utf8").replace(/@font-face\{[^}]*https?:\/\/[^}]*\}/g, "");
if (/url\(\s*["']?https?:/.test(stripped)) throw new Error("nhsuk-frontend.min.css still loads from another origin");
writeFileSync(css, stripped);
cpSync(join(nhsuk, "assets"), join(vendor, "nhsuk", "assets"), { recursive: true });
mkdirSync(join(vendor, "htmx"), { recursive: true });
cpSync(join(root, "node_modules", "htmx.org", "dist", "htmx.min.js"), join(vendor, "htmx", "htmx.min.js"));
console.log(`Front-end assets copied to ${vendor}`);
