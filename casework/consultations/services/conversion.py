"""Turning a consultation into a full referral when the case reaches court.

The referral is received at once through the referrals' own intake (``referral_from_consultation``)
and carries the consultation's history: the question as the behaviour summary, then the meetings'
dates and attendees and the advice given. Never the minutes: the referring agency reads the
referral as it was received on the portal.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.cases.services._shared import audit_changed
from casework.consultations.choices import RequestStatus
from casework.consultations.models import ConsultationMeeting, ConsultationRequest
from casework.consultations.services.requests import ConsultationRefused
from casework.core.formatting import date_gb
from casework.core.permissions import require
from casework.referrals.choices import SubjectRole
from casework.referrals.models import Referral
from casework.referrals.services.intake import referral_from_consultation

SUMMARY_LIMIT = 5000  # Referral.behaviour_summary


def carried_history(case, found: ConsultationRequest) -> str:
    """The behaviour summary the referral carries: the question, then the meetings (date and
    attendees) and the advice given. No minutes."""
    head = f"Question asked in consultation {case.reference}:\n{found.question.strip()}"
    tail = ""
    if found.advice_summary:
        advised = f" on {date_gb(found.advice_given_on)}" if found.advice_given_on else ""
        tail = f"\n\nAdvice given{advised}:\n{found.advice_summary.strip()}"
    lines = []
    meetings = list(ConsultationMeeting.objects.filter(case=case).order_by("held_on", "id"))
    for meeting in meetings:
        attendees = ", ".join(part.strip() for part in meeting.attendees.splitlines() if part.strip())
        lines.append(f"- {date_gb(meeting.held_on)}: {attendees}")
    body = "\n\nMeetings held:\n" + "\n".join(lines) if lines else ""
    text = head + body + tail
    while len(text) > SUMMARY_LIMIT and lines:
        lines.pop()
        body = "\n\nMeetings held:\n" + "\n".join(lines) + f"\n- and {len(meetings) - len(lines)} more"
        text = head + body + tail
    return text[:SUMMARY_LIMIT]


def convert(*, case, by, request: HttpRequest | None = None) -> Referral:
    """Make a referral from ``case``'s consultation and link it (``became_referral``). Refused a
    second time, and when what a referral needs is missing."""
    require(by, "consultations.convert", case)
    with transaction.atomic():
        found = ConsultationRequest.objects.select_for_update().filter(case=case).first()
        if found is None:
            raise ConsultationRefused("Record the agency's request before turning it into a referral")
        if found.became_referral is not None:
            raise ConsultationRefused(
                f"This consultation has already become referral {found.became_referral.reference}"
            )
        if not found.officer_name.strip():
            raise ConsultationRefused("Record the name of the officer asking before turning it into a referral")
        if not found.question.strip():
            raise ConsultationRefused("Record the question asked before turning it into a referral")
        subject = case.subject
        if not (subject.given_name or "").strip() or not (subject.family_name or "").strip():
            raise ConsultationRefused("The case's subject needs a given and a family name for a referral")
        referral = referral_from_consultation(
            case=case,
            by=by,
            request=request,
            received_at=timezone.now(),
            referring_organisation=found.agency,
            referrer_name=found.officer_name,
            referrer_email=found.officer_email,
            subject_role=SubjectRole.PERPETRATOR,
            subject_given_name=subject.given_name,
            subject_family_name=subject.family_name,
            subject_date_of_birth=subject.date_of_birth,
            behaviour_summary=carried_history(case, found),
        )
        before = {name: getattr(found, name) for name in ConsultationRequest.AUDITED_FIELDS}
        found.became_referral = referral
        found.status = RequestStatus.CLOSED
        found.updated_by = by
        found.updated_at = timezone.now()
        found.save()
        audit_changed(
            case=case,
            by=by,
            request=request,
            obj=found,
            label="consultation request",
            before=before,
            fields=ConsultationRequest.AUDITED_FIELDS,
        )
    return referral
