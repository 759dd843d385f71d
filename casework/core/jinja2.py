"""The Jinja2 environment: our templates first, then the NHS.UK frontend macros."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

from casework.core import formatting, identifiers
from casework.core.assets import layout_asset_urls
from casework.core.idempotency import hidden_input as idempotency_input
from casework.core.navigation import header_items


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    loader = ChoiceLoader(
        [
            FileSystemLoader([str(d) for d in settings.TEMPLATES[0]["DIRS"]]),
            PackageLoader("nhsuk_frontend_jinja"),
        ]
    )
    options.pop("loader", None)
    options["undefined"] = ChainableUndefined
    options["autoescape"] = True
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.do"]
    env = Environment(loader=loader, **options)  # noqa: S701  (autoescape=True is in options)
    env.globals.update(
        {
            "static": static,
            "layout_asset_urls": layout_asset_urls,
            "idempotency_input": idempotency_input,
            "url": url,
            "get_messages": get_messages,
            "now": timezone.now,
            "header_items": header_items,
            "settings_mfa_disabled": settings.CASEWORK_MFA_DISABLED,
        }
    )
    env.filters.update(
        {
            "date_gb": formatting.date_gb,
            "datetime_gb": formatting.datetime_gb,
            "time_gb": formatting.time_gb,
            "nhs_number": identifiers.format_nhs_number,
            "yes_no": formatting.yes_no,
            "pounds": formatting.pounds,
        }
    )
    env.tests["date"] = lambda value: isinstance(value, dt.date)
    return env
