"""Sending a compliance notice through GOV.UK Notify (``notifications-python-client``), with the
referrals' client (``casework.referrals.notify.client``: Notify itself with ``NOTIFY_API_KEY``, the
in-process stand-in without it outside production).

Never twice: Notify keeps the notice's ``idempotency_key`` as the notification's ``reference``, and
before sending we ask Notify for notifications with that reference. A send whose answer was lost
(a timeout after Notify accepted it) is therefore found and adopted by the retry, not sent again.

The email and the letter say which case the notice is about (the clinic's reference), the reason
(dates and kinds of absences only) and the link to acknowledge it; never the client's name.
"""

from __future__ import annotations

import re

from django.conf import settings

from casework.referrals.notify import already_sent, client
from casework.treatment.choices import NoticeChannel, NoticeStatus
from casework.treatment.models import ComplianceNotice
from casework.treatment.services import compliance

# What Notify says about a notification, as the notice's status (a letter "received" by the print
# provider is as delivered as Notify can tell).
STATUSES = {
    "delivered": NoticeStatus.DELIVERED,
    "received": NoticeStatus.DELIVERED,
    "permanent-failure": NoticeStatus.FAILED,
    "temporary-failure": NoticeStatus.FAILED,
    "technical-failure": NoticeStatus.FAILED,
    "validation-failed": NoticeStatus.FAILED,
    "virus-scan-failed": NoticeStatus.FAILED,
    "cancelled": NoticeStatus.FAILED,
}
FINAL = {NoticeStatus.DELIVERED, NoticeStatus.FAILED, NoticeStatus.ACKNOWLEDGED}
ADDRESS_LINES_MAX = 7


class NoAddress(Exception):  # noqa: N818 - a state of the record, not a fault
    """The notice cannot be posted: the supervising agency has no postal address."""


def existing(notice: ComplianceNotice) -> dict | None:
    """The notification Notify already holds for this notice, if an earlier attempt sent it."""
    return already_sent(notice.idempotency_key)


def personalisation(notice: ComplianceNotice) -> dict[str, str]:
    return {
        "reference": notice.enrolment.case.reference,
        "reason": notice.reason,
        "acknowledge_link": compliance.acknowledge_link(notice),
    }


def address_lines(notice: ComplianceNotice) -> dict[str, str]:
    """Notify's address lines for a letter to the supervising agency (for the attention of the
    officer when named), the postcode last."""
    enrolment = notice.enrolment
    agency = enrolment.supervising_agency
    if agency is None or not agency.address.strip() or not agency.postcode.strip():
        raise NoAddress("The supervising agency has no postal address")
    lines = [agency.name]
    if enrolment.supervising_officer_name:
        lines.append(f"For the attention of {enrolment.supervising_officer_name}")
    lines += [part.strip() for part in re.split(r"[\n;]", agency.address) if part.strip()]
    lines = lines[: ADDRESS_LINES_MAX - 1] + [agency.postcode.strip()]
    return {f"address_line_{n}": line for n, line in enumerate(lines, start=1)}


def send(notice: ComplianceNotice) -> str:
    """Hand the notice to Notify, unless it already has it; Notify's id for it."""
    found = existing(notice)
    if found is not None:
        return found["id"]
    if notice.channel == NoticeChannel.EMAIL:
        answer = client().send_email_notification(
            email_address=notice.enrolment.supervising_officer_email,
            template_id=settings.TREATMENT_NOTICE_EMAIL_TEMPLATE_ID,
            personalisation=personalisation(notice),
            reference=notice.idempotency_key,
        )
    else:
        answer = client().send_letter_notification(
            template_id=settings.TREATMENT_NOTICE_LETTER_TEMPLATE_ID,
            personalisation={**address_lines(notice), **personalisation(notice)},
            reference=notice.idempotency_key,
        )
    return answer["id"]


def status_of(notice: ComplianceNotice) -> str:
    """The notice's status as Notify reports it now."""
    answer = client().get_notification_by_id(notice.notify_id)
    return STATUSES.get(answer.get("status", ""), NoticeStatus.SENT)


def error_text(error: BaseException) -> str:
    """What went wrong, for the notice's page: the kind of failure and Notify's HTTP status, never
    Notify's message (it may repeat what was sent)."""
    if hasattr(error, "response") and getattr(error, "response", None) is None:
        return "Could not reach GOV.UK Notify, or it did not answer in time"
    status = getattr(error, "status_code", None)
    if status:
        return f"GOV.UK Notify refused the notice (HTTP {status})"
    return f"Sending failed ({type(error).__name__})"
