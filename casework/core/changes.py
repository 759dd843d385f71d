"""Announcing that a record changed, to the parts of the service that keep something derived from
it — the search index, for now.

A writer (a service) calls ``announce(record)`` inside its own transaction, after the write. Every
listener registered for that record's model runs at once, in the same transaction, so what it
derives changes with the record or not at all (docs/adr/0008-search.md). Writers never import the
listeners: an app that derives data registers itself when it is ready, and a new app's records are
indexed without editing the writers.

    # casework/search/apps.py
    changes.listen(Referral, index_referral)

    # casework/referrals/services/intake.py, inside the transaction
    changes.announce(referral)

A listener takes the record and reads it again from the database itself (so a caller's stale
object cannot put stale data anywhere). Listeners must not write personal data of their own: what
they keep is derived, and the change that caused it carries the audit event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import models

Listener = Callable[[models.Model], None]
_listeners: dict[type[models.Model], list[Listener]] = defaultdict(list)


def listen(model: type[models.Model], listener: Listener) -> None:
    """Run ``listener(record)`` whenever a record of ``model`` is announced (once per listener)."""
    if listener not in _listeners[model]:
        _listeners[model].append(listener)


def announce(record: models.Model) -> None:
    """Tell every listener for ``record``'s model that it changed. Call inside the writing
    transaction; a listener's failure rolls the change back with it."""
    model = record._meta.concrete_model
    for listener in _listeners.get(model, ()) if model is not None else ():
        listener(record)


def listeners_of(model: type[models.Model]) -> list[Listener]:
    concrete = model._meta.concrete_model
    return list(_listeners.get(concrete, ())) if concrete is not None else []
