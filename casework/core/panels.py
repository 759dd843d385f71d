"""Panels that an app higher in the layers adds to a page of an app lower down.

The referral page (referrals) and the case page (cases) sit below billing, treatment and the rest,
so they cannot import them. Instead an app registers a provider for a page in its ``apps.ready``
(as it registers its "My work" sections with ``casework.core.work``), and the page asks
``panels_for(PAGE, request, record)`` and includes ``core/_panels.jinja``. The page has already
decided the user may see the record; each provider decides what of its own it shows to this user,
and answers an empty list when there is nothing (or nothing the user may see).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

# The pages that take panels.
REFERRAL = "referral"
CASE = "case"
PAGES = (REFERRAL, CASE)


@dataclass
class Panel:
    """A titled box: summary rows (key, value), an optional warning (shown as a warning callout)
    and optional links (text, href). ``name`` is the panel's data-testid."""

    name: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    warning: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)


Provider = Callable[[HttpRequest, Any], list[Panel]]
_PROVIDERS: dict[str, list[tuple[int, str, Provider]]] = {page: [] for page in PAGES}


def register(page: str, order: int = 100) -> Callable[[Provider], Provider]:
    """Register ``provider(request, record)`` for ``page``. Registering the same function twice
    (a test reloading an app) keeps one."""
    if page not in _PROVIDERS:
        raise ValueError(f"No page {page!r} takes panels")

    def decorator(provider: Provider) -> Provider:
        key = f"{provider.__module__}.{provider.__qualname__}"
        entries = [entry for entry in _PROVIDERS[page] if entry[1] != key]
        entries.append((order, key, provider))
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        _PROVIDERS[page][:] = entries
        return provider

    return decorator


def panels_for(page: str, request: HttpRequest, record: Any) -> list[Panel]:
    panels: list[Panel] = []
    for _, _, provider in _PROVIDERS[page]:
        panels.extend(provider(request, record))
    return panels
