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
        if kind.model._default_manager.name != "objects":
            problems.append(
                checks.Error(
                    f"{kind.label}'s default manager is {kind.model._default_manager.name!r}: the access rules read "
                    "registered records through the default manager, which must be `objects`",
                    id="access.E003",
                )
            )
        if kind.is_anchor:
            continue
        try:
            kind.model._default_manager.filter(**{f"{kind.path}__in": [0]})
        except (FieldError, ValueError) as wrong:
            problems.append(
                checks.Error(
                    f"{kind.label} is registered within {kind.within} by the path {kind.path!r}, which does not fit: {wrong}",
                    id="access.E002",
                )
            )
    return problems
