"""Which events a reviewer may see, decided by the access rules (``casework.access.review``).

The audit app sits below the apps whose records it logs, so it cannot ask their rules itself; the
access package provides the answer when it is ready. Deny by default: until a provider is
registered, every review reader refuses (``ImproperlyConfigured``), so a misconfigured site shows
no events rather than all of them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

HiddenRecords = Callable[[object], dict[str, set[str]]]
_provider: HiddenRecords | None = None


def provide(hidden_records: HiddenRecords) -> None:
    """Register the function that says which records' events a user may not review."""
    global _provider
    _provider = hidden_records


def hidden_records(user) -> dict[str, set[str]]:
    if _provider is None:
        raise ImproperlyConfigured("No access rules are registered for the audit review (casework.access)")
    return _provider(user)


def hidden_condition(hidden: dict[str, set[str]], *, type_field: str = "object_type", id_field: str = "object_id") -> Q:
    """A filter matching rows about any of ``hidden``'s records (to ``exclude``)."""
    condition = Q(pk__in=[])
    for object_type, ids in hidden.items():
        condition |= Q(**{type_field: object_type, f"{id_field}__in": sorted(ids)})
    return condition


def is_hidden(hidden: dict[str, set[str]], object_type: str, object_id: str) -> bool:
    return str(object_id) in hidden.get(object_type, set())
