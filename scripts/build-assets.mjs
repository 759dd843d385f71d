// Copy the built NHS.UK frontend and htmx from node_modules into casework/static/vendor.
import { cpSync, mkdirSync, rmSync } from "node:fs";
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
cpSync(join(nhsuk, "assets"), join(vendor, "nhsuk", "assets"), { recursive: true });
mkdirSync(join(vendor, "htmx"), { recursive: true });
cpSync(join(root, "node_modules", "htmx.org", "dist", "htmx.min.js"), join(vendor, "htmx", "htmx.min.js"));
console.log(`Front-end assets copied to ${vendor}`);
