"""Background tasks for treatment: sending a compliance notice through GOV.UK Notify and following
its delivery. Each takes the notice's id, never anything personal.

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

from casework.reports.choices import DisclosureMethod
from casework.reports.choices import LegalBasis as DisclosureBasis
from casework.reports.models import DisclosureEntry
from casework.treatment import notices
from casework.treatment.choices import LegalBasis, NoticeChannel, NoticeStatus
from casework.treatment.models import ComplianceNotice

# Ask Notify again about a notice not yet delivered: after 5, 10, 20 … minutes, at most 12 times.
DELIVERY_CHECKS_MAX = 12


def _notice(notice_id: int) -> ComplianceNotice | None:
    return (
        ComplianceNotice.objects.select_related("enrolment__case", "enrolment__supervising_agency")
        .filter(pk=notice_id)
        .first()
    )


def _set(notice: ComplianceNotice, **fields) -> None:
    ComplianceNotice.objects.filter(pk=notice.pk).update(**fields)
    for name, value in fields.items():
        setattr(notice, name, value)


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
