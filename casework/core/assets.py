"""The static files every page's layout names, in one list.

``layouts/base.jinja`` links these through ``static()`` (each a file, never a folder: the
production storage resolves only files that ``collectstatic`` wrote into its manifest), and
``/healthz`` answers 503 when any of them cannot be resolved, so a deployment without its assets
is caught by the load balancer instead of by the first user.
"""

from __future__ import annotations

from django.templatetags.static import static

NHSUK = "vendor/nhsuk/"
ICONS = NHSUK + "assets/images/"

LAYOUT_ASSETS = {
    "stylesheet": NHSUK + "nhsuk-frontend.min.css",
    "service_stylesheet": "casework.css",
    "script": "casework.js",
    "favicon": ICONS + "favicon.ico",
    "favicon_svg": ICONS + "favicon.svg",
    "mask_icon": ICONS + "nhsuk-icon-mask.svg",
    "touch_icon": ICONS + "nhsuk-icon-180.png",
    "web_manifest": NHSUK + "assets/manifest.json",
}


def layout_asset_urls() -> dict[str, str]:
    """The URL of each layout asset (raises ``ValueError`` when the manifest lacks one)."""
    return {name: static(path) for name, path in LAYOUT_ASSETS.items()}


def missing_layout_assets() -> list[str]:
    """The layout assets the static storage cannot resolve (empty when all are there)."""
    missing = []
    for path in LAYOUT_ASSETS.values():
        try:
            static(path)
        except ValueError:
            missing.append(path)
    return missing
