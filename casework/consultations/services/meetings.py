"""Recording a meeting held about a consultation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.cases.services._shared import audit_created
from casework.consultations.models import ConsultationMeeting
from casework.consultations.services.requests import ConsultationRefused
from casework.core.permissions import require


def meeting_add(
    *, case, by, held_on: dt.date | None, attendees: str, minutes: str, request: HttpRequest | None = None
) -> ConsultationMeeting:
    require(by, "consultations.record", case)
    attendees, minutes = (attendees or "").strip(), (minutes or "").strip()
    if held_on is None:
        raise ConsultationRefused("Enter the date the meeting was held", "held_on")
    if held_on > timezone.localdate():
        raise ConsultationRefused("The date held must be today or in the past", "held_on")
    if not attendees:
        raise ConsultationRefused("Enter who attended", "attendees")
    if not minutes:
        raise ConsultationRefused("Enter the minutes of the meeting", "minutes")
    with transaction.atomic():
        meeting = ConsultationMeeting.objects.create(
            case=case, held_on=held_on, attendees=attendees, minutes=minutes, recorded_by=by
        )
        audit_created(
            case=case,
            by=by,
            request=request,
            obj=meeting,
            label="consultation meeting",
            fields=ConsultationMeeting.AUDITED_FIELDS,
        )
    return meeting
