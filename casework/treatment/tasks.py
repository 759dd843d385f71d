"""Background tasks for treatment: sending a compliance notice through GOV.UK Notify and following
its delivery; reminding the lead clinician of a follow-up falling due, and the client of an
appointment (``reminders``). Each takes a record's id (and an appointment's start), never anything
personal, and returns a word saying what it did, never to whom.

A send that fails is recorded on the notice (``attempts``, ``last_error``, status "failed", shown on
the case's notices page) and raised again, so the worker (``casework.worker.runner``) retries it with
back-off and, when the attempts are used up, shows the task to staff as failed. A retry never sends
twice: ``notices.send`` first asks Notify for a notification with the notice's reference.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.models import update_in_place
from casework.reports.choices import DisclosureMethod
from casework.reports.choices import LegalBasis as DisclosureBasis
from casework.reports.models import DisclosureEntry
from casework.treatment import notices, reminders
from casework.treatment.choices import Attendance, LegalBasis, NoticeChannel, NoticeStatus
from casework.treatment.models import Appointment, ComplianceNotice, FollowUp

# Ask Notify again about a notice not yet delivered: after 5, 10, 20 … minutes, at most 12 times.
DELIVERY_CHECKS_MAX = 12


def _notice(notice_id: int) -> ComplianceNotice | None:
    return (
        ComplianceNotice.objects.select_related("enrolment__case", "enrolment__supervising_agency")
        .filter(pk=notice_id)
        .first()
    )


_set = update_in_place


@task()
def send_notice(notice_id: int) -> str:
    """Send a raised compliance notice to the supervising officer, once; then follow its delivery."""
    notice = _notice(notice_id)
    if notice is None:
        return "gone"
    if not notice.notify_id:
        ComplianceNotice.objects.filter(pk=notice.pk).update(attempts=F("attempts") + 1)
        try:
            notify_id = notices.send(notice)
        except notices.NoAddress as missing:
            # Nothing to retry until someone adds the agency's address: failed, with the reason.
            _set(notice, status=NoticeStatus.FAILED, last_error=str(missing))
            return str(notice.status)
        except Exception as error:
            _set(notice, status=NoticeStatus.FAILED, last_error=notices.error_text(error)[:300])
            raise  # the worker tries again later
        status = NoticeStatus.ACKNOWLEDGED if notice.acknowledged_at else NoticeStatus.SENT
        with transaction.atomic():
            _set(notice, notify_id=notify_id, status=status, sent_at=timezone.now(), last_error="")
            _register(notice)
    return _follow(notice, attempt=1)


# The legal basis of sharing attendance with the supervising officer, by the basis of treatment.
DISCLOSURE_BASIS: dict[str, str] = {
    LegalBasis.COMMUNITY_ORDER: DisclosureBasis.COURT_ORDER,
    LegalBasis.BAIL_CONDITION: DisclosureBasis.COURT_ORDER,
    LegalBasis.LICENCE_CONDITION: DisclosureBasis.DUTY_TO_SHARE,
    LegalBasis.VOLUNTARY: DisclosureBasis.CONSENT,
}


def _register(notice: ComplianceNotice) -> None:
    """A sent notice is a release of the client's attendance outside the clinic: it goes on the
    disclosure register, once (the send happens once), as the person who raised it."""
    enrolment = notice.enrolment
    if not enrolment.supervising_agency_id:
        return  # only a voluntary enrolment has no agency, and it raises no notice
    DisclosureEntry.objects.create(
        case_id=enrolment.case_id,
        description=f"Compliance notice {notice.pk} to the supervising officer",
        recipient_id=enrolment.supervising_agency_id,
        recipient_name=enrolment.supervising_officer_name,
        method=DisclosureMethod.NOTIFY_EMAIL if notice.channel == NoticeChannel.EMAIL else DisclosureMethod.POST,
        legal_basis=DISCLOSURE_BASIS.get(enrolment.legal_basis, DisclosureBasis.DUTY_TO_SHARE),
        released_at=notice.sent_at or timezone.now(),
        released_by_id=notice.raised_by_id,
    )


@task()
def check_notice_delivery(notice_id: int, attempt: int = 1) -> str:
    """Ask Notify how a sent notice is getting on, and keep the answer on the notice."""
    notice = _notice(notice_id)
    if notice is None or not notice.notify_id:
        return "gone"
    return _follow(notice, attempt=attempt)


def _follow(notice: ComplianceNotice, *, attempt: int) -> str:
    status = notices.status_of(notice)
    fields: dict = {}
    if status == NoticeStatus.DELIVERED and notice.delivered_at is None:
        fields["delivered_at"] = timezone.now()
    if notice.acknowledged_at is None and status != notice.status:
        fields["status"] = status
    if fields:
        _set(notice, **fields)
    if status not in notices.FINAL and attempt < DELIVERY_CHECKS_MAX:
        backend = check_notice_delivery.get_backend()
        if backend.supports_defer:
            later = timezone.now() + dt.timedelta(minutes=5 * 2 ** (attempt - 1))
            check_notice_delivery.using(run_after=later).enqueue(notice.pk, attempt + 1)
    return str(notice.status)


# --- Reminders (casework.treatment.reminders) -----------------------------------------------------


def _remind_audit(case, label: str, what: str) -> None:
    """The case's trail says a reminder went (or could not), and how: never to what number or
    address."""
    record(
        action=Action.UPDATE,
        obj=case,
        object_label=f"{case.reference}: {label}",
        changes={f"{label} reminder": {"old": None, "new": what}},
    )


@task()
def remind_follow_up(follow_up_id: int) -> str:
    """At 09:00 on the day a follow-up falls due, email the case's lead clinician that it is due,
    once; nothing if it is already recorded or the reminder already went."""
    follow_up = FollowUp.objects.select_related("enrolment__case").filter(pk=follow_up_id).first()
    if follow_up is None:
        return "gone"
    if follow_up.done_on is not None:
        return "recorded"
    if follow_up.reminded_at is not None:
        return "already_reminded"
    case = follow_up.enrolment.case
    if not reminders.reminds_staff(case):
        return "not_treated_case"
    lead = reminders.lead_clinician(case)
    if lead is None:
        return "no_lead_clinician"
    reminders.send_follow_up(follow_up, lead)  # an error: the worker tries again, and adopts what went
    with transaction.atomic():
        FollowUp.objects.filter(pk=follow_up.pk).update(reminded_at=timezone.now())
        _remind_audit(case, f"follow-up {follow_up.pk}", "emailed to the lead clinician")
    return "sent"


@task()
def remind_appointment(appointment_id: int, starts_at_iso: str) -> str:
    """24 hours before an appointment, remind the client of it by text message or email, once;
    nothing if it was cancelled, has taken place, was moved (from ``starts_at_iso``) or the
    reminder already went; "no_contact" when the client has no number or address to use."""
    appointment = Appointment.objects.select_related("case__subject").filter(pk=appointment_id).first()
    if appointment is None:
        return "gone"
    case = appointment.case
    if not reminders.reminds(case):
        return "not_perpetrator_case"  # never a reminder to the subject of a victim case
    if appointment.attendance != Attendance.BOOKED:
        return "not_booked"
    if appointment.starts_at != dt.datetime.fromisoformat(starts_at_iso):
        return "moved"
    if appointment.reminder_sent_at is not None:
        return "already_reminded"
    if appointment.starts_at <= timezone.now():
        return "too_late"
    contact = reminders.client_contact(case.subject)
    if contact is None:
        _remind_audit(case, appointment.audit_label, "not sent: no telephone number or email address to use")
        return "no_contact"
    reminders.send_appointment(appointment, contact)  # an error: the worker tries again
    channel = "text message" if contact[0] == "sms" else "email"
    with transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=timezone.now())
        _remind_audit(case, appointment.audit_label, f"sent to the client by {channel}")
    return "sent"
