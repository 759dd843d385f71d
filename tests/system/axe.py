"""axe-core (npm, installed by `make assets`) run inside a page the browser tests visit."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page

AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# What fails a test: anything serious or critical, and content outside the page's landmarks
# ("region", moderate in axe's terms, but a screen-reader user navigating by landmark misses it).
ALWAYS = {"region"}


def axe_problems(page: Page) -> list[str]:
    """axe's serious and critical violations on the page as it is now, and any "region" finding."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))  # run through the debugger, not the CSP
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']}: " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical") or v["id"] in ALWAYS
    ]
