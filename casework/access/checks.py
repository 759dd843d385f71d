"""System checks: the apps registered their records, and every registration fits its anchor."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import FieldError

from casework.access import registry


@checks.register()
def registrations_fit(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    for anchor in registry.ANCHORS:
        try:
            registry.anchor_model(anchor)
        except registry.NotRegistered as missing:
            problems.append(checks.Error(str(missing), id="access.E001"))
    for kind in registry.all_kinds():
        if kind.is_anchor:
            continue
        try:
            kind.model.objects.filter(**{f"{kind.path}__in": [0]})
        except (FieldError, ValueError) as wrong:
            problems.append(
                checks.Error(
                    f"{kind.label} is registered within {kind.within} by the path {kind.path!r}, which does not fit: {wrong}",
                    id="access.E002",
                )
            )
    return problems
