"""The compliance rule and what follows from it (issue 14, "Compliance").

``TREATMENT_COMPLIANCE_ABSENCES`` unacceptable absences (did not attend, or cancelled by the client
with a reason judged not acceptable) within the ``TREATMENT_COMPLIANCE_PERIOD_DAYS`` days ending
today, none of them already in an earlier notice, raise a compliance notice to the supervising
officer. The notice says only the facts (the dates and kinds of the absences), never anything
clinical; it goes by email to the officer when the enrolment has the officer's address, otherwise by
post to the supervising agency, through GOV.UK Notify in the background (``tasks.send_notice``).

The officer acknowledges it through a signed link in the notice (no account needed), or the team
records an acknowledgement received by telephone. Every step is in the case's audit trail.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.choices import CaseKind
from casework.core.formatting import date_gb
from casework.core.permissions import require
from casework.core.refusals import Refused
from casework.treatment.choices import Attendance, NoticeChannel, NoticeStatus
from casework.treatment.models import Appointment, ComplianceNotice, Enrolment

TOKEN_SALT = "casework.treatment.notice.acknowledge"  # noqa: S105 (a signing salt, not a secret)
ALREADY_ACKNOWLEDGED = "The notice has already been acknowledged."

# What an absence was, in the notice's words.
ABSENCE_WORDS = {
    Attendance.DID_NOT_ATTEND: "did not attend",
    Attendance.CANCELLED_BY_CLIENT: "cancelled by the client without an acceptable reason",
}


def unacceptable() -> Q:
    """An absence that counts against the client."""
    return Q(attendance=Attendance.DID_NOT_ATTEND) | Q(
        attendance=Attendance.CANCELLED_BY_CLIENT, reason_acceptable=False
    )


def countable_absences(enrolment: Enrolment, *, today: dt.date | None = None) -> QuerySet[Appointment]:
    """The enrolment's unacceptable absences within the period ending today that no earlier notice
    has counted, oldest first."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=settings.TREATMENT_COMPLIANCE_PERIOD_DAYS - 1)
    counted = ComplianceNotice.absences.through.objects.filter(compliancenotice__enrolment=enrolment).values(
        "appointment_id"
    )
    return (
        Appointment.objects.filter(enrolment=enrolment, starts_at__date__gte=start, starts_at__date__lte=today)
        .filter(unacceptable())
        .exclude(pk__in=counted)
        .order_by("starts_at", "id")
    )


def reason_for(absences: list[Appointment]) -> str:
    """The notice's reason, from the facts alone: how many absences, their dates and kinds."""
    lines = [
        f"{date_gb(timezone.localtime(a.starts_at).date())}: {ABSENCE_WORDS[Attendance(a.attendance)]}"
        for a in absences
    ]
    return (
        f"{len(absences)} unacceptable absences from treatment appointments within "
        f"{settings.TREATMENT_COMPLIANCE_PERIOD_DAYS} days (the clinic's rule is "
        f"{settings.TREATMENT_COMPLIANCE_ABSENCES}):\n" + "\n".join(lines)
    )


def channel_for(enrolment: Enrolment) -> str:
    return NoticeChannel.EMAIL if enrolment.supervising_officer_email else NoticeChannel.LETTER


def _audit(notice: ComplianceNotice, *, actor, request: HttpRequest | None, action: str, reason: str, changes) -> None:
    case = notice.enrolment.case
    record(
        action=action,
        actor=actor,
        request=request,
        obj=case,
        object_label=f"{case.reference} {notice.audit_label}",
        reason=reason,
        changes=changes,
    )


def check(*, enrolment: Enrolment, by, request: HttpRequest | None = None) -> ComplianceNotice | None:
    """Apply the rule to the enrolment: raise a notice (and queue its sending) when the countable
    absences reach the threshold; otherwise None."""
    require(by, "treatment.notice", enrolment)
    return _raise_if_due(enrolment, by=by, request=request, how="checked by the team")


def check_after_attendance(*, appointment: Appointment, by, request: HttpRequest | None = None):
    """The rule applied when an absence is recorded (the diary calls this after recording attendance,
    in the same transaction). Whoever may record attendance sets it going, the referrals coordinator
    included: the rule raises the notice, not the person; ``by`` is kept as who recorded the absence
    that completed it."""
    require(by, "treatment.record_attendance", appointment)
    enrolment = appointment.enrolment
    if enrolment is None or not Appointment.objects.filter(pk=appointment.pk).filter(unacceptable()).exists():
        return None
    return _raise_if_due(enrolment, by=by, request=request, how="on recording an absence")


def _raise_if_due(enrolment: Enrolment, *, by, request: HttpRequest | None, how: str) -> ComplianceNotice | None:
    if enrolment.case.kind != CaseKind.PERPETRATOR:
        return None  # a person who is stalked is in therapy by consent: no one supervises their attendance
    with transaction.atomic():
        # One check at a time per enrolment, so two at once cannot count the same absences twice.
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
        absences = list(countable_absences(enrolment))
        if len(absences) < max(1, settings.TREATMENT_COMPLIANCE_ABSENCES):
            return None
        notice = ComplianceNotice.objects.create(
            enrolment=enrolment,
            reason=reason_for(absences),
            channel=channel_for(enrolment),
            status=NoticeStatus.PENDING,
            idempotency_key=f"cn-{uuid.uuid4().hex}",
            raised_by=by,
        )
        notice.absences.set(absences)
        _audit(
            notice,
            actor=by,
            request=request,
            action=Action.CREATE,
            reason=f"Compliance notice raised to the supervising officer (the rule applied, {how})",
            changes={
                "channel": {"old": None, "new": notice.channel},
                "absences": {"old": None, "new": [a.pk for a in absences]},
            },
        )
        notice_id = notice.pk
        transaction.on_commit(lambda: queue_send(notice_id))
    return notice


NOT_FAILED = "Only a notice that failed to send can be sent again."


def send_again(*, notice: ComplianceNotice, by, request: HttpRequest | None = None) -> ComplianceNotice:
    """Send a failed notice again (after the officer's email or the agency's address is put right).
    If Notify had taken it and then failed to deliver it, it goes under a new reference (so it is a
    new notification, not the failed one adopted); otherwise under the same one, so that a send
    Notify took without our knowing is still adopted rather than repeated."""
    require(by, "treatment.notice", notice.enrolment)
    with transaction.atomic():
        locked = ComplianceNotice.objects.select_for_update().select_related("enrolment__case").get(pk=notice.pk)
        if locked.status != NoticeStatus.FAILED or locked.acknowledged_at is not None:
            raise Refused(NOT_FAILED)
        before = {"channel": locked.channel, "notify_id": locked.notify_id}
        if locked.notify_id:
            locked.idempotency_key = f"cn-{uuid.uuid4().hex}"
        locked.notify_id = ""
        locked.channel = channel_for(locked.enrolment)
        locked.status = NoticeStatus.PENDING
        locked.last_error = ""
        locked.sent_at = None
        locked.save(update_fields=["idempotency_key", "notify_id", "channel", "status", "last_error", "sent_at"])
        _audit(
            locked,
            actor=by,
            request=request,
            action=Action.UPDATE,
            reason="Compliance notice sent again after it failed",
            changes={
                "channel": {"old": before["channel"], "new": locked.channel},
                "status": {"old": NoticeStatus.FAILED, "new": NoticeStatus.PENDING},
            },
        )
        notice_id = locked.pk
        transaction.on_commit(lambda: queue_send(notice_id))
    return locked


def queue_send(notice_id: int) -> None:
    from casework.treatment.tasks import send_notice

    send_notice.enqueue(notice_id)


# --- Acknowledgement ------------------------------------------------------------------------------


def token_for(notice: ComplianceNotice) -> str:
    return signing.dumps(notice.idempotency_key, salt=TOKEN_SALT)


def notice_for_token(token: str) -> ComplianceNotice | None:
    """The notice a link names, if the link is genuine and not expired."""
    try:
        key = signing.loads(token, salt=TOKEN_SALT, max_age=dt.timedelta(days=settings.TREATMENT_NOTICE_LINK_DAYS))
    except signing.BadSignature:  # (SignatureExpired is one)
        return None
    return ComplianceNotice.objects.select_related("enrolment__case").filter(idempotency_key=key).first()


def acknowledge_link(notice: ComplianceNotice) -> str:
    return (settings.CASEWORK_WEBAUTHN_ORIGIN or "").rstrip("/") + reverse(
        "notices:acknowledge", args=[token_for(notice)]
    )


def _acknowledge(notice: ComplianceNotice, *, name: str, actor, request, how: str) -> ComplianceNotice:
    with transaction.atomic():
        locked = ComplianceNotice.objects.select_for_update().select_related("enrolment__case").get(pk=notice.pk)
        if locked.acknowledged_at is not None:
            raise Refused(ALREADY_ACKNOWLEDGED)
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = name.strip()[: ComplianceNotice._meta.get_field("acknowledged_by").max_length]
        locked.status = NoticeStatus.ACKNOWLEDGED
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "status"])
        _audit(
            locked,
            actor=actor,
            request=request,
            action=Action.UPDATE,
            reason=f"Compliance notice acknowledged by the supervising officer ({how})",
            changes={
                "acknowledged_by": {"old": "", "new": locked.acknowledged_by},
                "status": {"old": notice.status, "new": locked.status},
            },
        )
    return locked


def acknowledge_by_link(*, notice: ComplianceNotice, name: str, request: HttpRequest | None = None) -> ComplianceNotice:
    """The officer confirms through the signed link in the notice (the token is the authority)."""
    return _acknowledge(notice, name=name, actor=None, request=request, how="through the link in the notice")


def record_acknowledgement(
    *, notice: ComplianceNotice, name: str, by, request: HttpRequest | None = None
) -> ComplianceNotice:
    """Staff record an acknowledgement the officer gave another way (by telephone)."""
    require(by, "treatment.notice", notice.enrolment)
    return _acknowledge(notice, name=name, actor=by, request=request, how=f"recorded by {by.full_name}")
