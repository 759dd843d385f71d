"""Billing's records that name a case, registered with the access rules (``casework.access``): a
billable event belongs to its case. Finance staff read events through ``billing.queries``, by
permission, and only their references, service, date and amounts."""

from __future__ import annotations

from casework.access import registry
from casework.billing.models import BillableEvent


def register() -> None:
    registry.register(BillableEvent, within=registry.CASE, path="case")
