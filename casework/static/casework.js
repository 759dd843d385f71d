import { initAll } from "./vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
