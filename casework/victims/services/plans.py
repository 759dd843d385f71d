"""Agreeing a safety plan: every change is a new numbered version; the latest is in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from casework.cases.services._shared import audit_created
from casework.core.formatting import date_gb
from casework.core.permissions import require
from casework.core.refusals import Refused
from casework.victims.choices import Channel
from casework.victims.models import SafetyPlanVersion


class PlanRefused(Refused):
    """A safety plan refused, with the reason (and its field)."""


def _check(values: dict[str, Any], today: dt.date) -> None:
    channels = values.get("channels") or []
    if not channels:
        raise PlanRefused("Select at least one way the clinic may contact them", "channels")
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise PlanRefused("Select ways of contact from the list", "channels")
    preferred = values.get("preferred_channel") or ""
    if preferred and preferred not in channels:
        raise PlanRefused("The preferred way must be one of the ways they agreed", "preferred_channel")
    if not values.get("contact_days"):
        raise PlanRefused("Select the days when contact is safe", "contact_days")
    start, end = values.get("contact_from"), values.get("contact_until")
    if start is None:
        raise PlanRefused("Enter the time from which contact is safe", "contact_from")
    if end is None:
        raise PlanRefused("Enter the time until which contact is safe", "contact_until")
    if end <= start:
        raise PlanRefused("The time until which contact is safe must be after the time it starts", "contact_until")
    agreed = values.get("agreed_on")
    if agreed is None:
        raise PlanRefused("Enter the date the plan was agreed", "agreed_on")
    if agreed > today:
        raise PlanRefused("The date agreed must be today or in the past", "agreed_on")
    review = values.get("review_on")
    if review is None:
        raise PlanRefused("Enter the review date", "review_on")
    if review <= agreed:
        raise PlanRefused(f"The review date must be after the date agreed ({date_gb(agreed)})", "review_on")
    if values.get("marac_referred") and values.get("marac_on") is None:
        raise PlanRefused("Enter the date of the MARAC referral", "marac_on")
    if not values.get("marac_referred") and values.get("marac_on"):
        raise PlanRefused("A MARAC referral date needs the referral ticked", "marac_on")


def plan_agree(*, case, by, values: dict[str, Any], request: HttpRequest | None = None) -> SafetyPlanVersion:
    """Record a new version of ``case``'s safety plan from ``values`` (the model's agreed fields)."""
    require(by, "victims.plan", case)
    allowed = set(SafetyPlanVersion.COMPARED_FIELDS)
    values = {name: value for name, value in values.items() if name in allowed}
    _check(values, timezone.localdate())
    values["channels"] = [c for c in Channel.values if c in values["channels"]]
    values["contact_days"] = sorted({str(day) for day in values["contact_days"]})
    with transaction.atomic():
        # The case row serialises two people agreeing versions at once: each gets its own number.
        type(case).objects.select_for_update().filter(pk=case.pk).first()
        latest = SafetyPlanVersion.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0
        plan = SafetyPlanVersion.objects.create(case=case, number=latest + 1, recorded_by=by, **values)
        audit_created(
            case=case,
            by=by,
            request=request,
            obj=plan,
            label="safety plan version",
            fields=SafetyPlanVersion.AUDITED_FIELDS,
        )
    return plan
