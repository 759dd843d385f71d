"""Sending a letter to the referrer through GOV.UK Notify (``notifications-python-client``).

By email when the referrer gave an email address: the letter's PDF goes as a file to download
(Notify's ``prepare_upload``), and the email itself says only which referral the letter is about.
Otherwise by post, as a precompiled letter, to the referring organisation's address. Without
``NOTIFY_API_KEY`` outside production, the in-process stand-in answers (``notify_standin``).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from notifications_python_client.notifications import NotificationsAPIClient
from notifications_python_client.utils import prepare_upload

from casework.referrals.models import DeliveryChannel, DeliveryStatus

# What Notify says about a notification, as the letter's delivery status.
EMAIL_STATUSES = {
    "delivered": DeliveryStatus.DELIVERED,
    "permanent-failure": DeliveryStatus.FAILED,
    "temporary-failure": DeliveryStatus.FAILED,
    "technical-failure": DeliveryStatus.FAILED,
}
LETTER_STATUSES = {
    "received": DeliveryStatus.POSTED,
    "validation-failed": DeliveryStatus.FAILED,
    "virus-scan-failed": DeliveryStatus.FAILED,
    "technical-failure": DeliveryStatus.FAILED,
    "permanent-failure": DeliveryStatus.FAILED,
    "cancelled": DeliveryStatus.FAILED,
}
FINAL = {DeliveryStatus.DELIVERED, DeliveryStatus.POSTED, DeliveryStatus.FAILED, DeliveryStatus.NO_ADDRESS}


def client() -> NotificationsAPIClient:
    key, base_url = settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL
    if not key:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("Set NOTIFY_API_KEY to send letters through GOV.UK Notify")
        from casework.referrals import notify_standin

        key, base_url = notify_standin.STANDIN_KEY, notify_standin.shared().url
    return NotificationsAPIClient(key, base_url=base_url, timeout=settings.NOTIFY_TIMEOUT)


def already_sent(reference: str) -> dict | None:
    """The notification Notify already holds under ``reference``, if an earlier attempt sent it (a
    retry after a lost answer adopts it instead of sending again)."""
    answer = client().get_all_notifications(reference=reference)
    found = [n for n in answer.get("notifications") or [] if n.get("reference") == reference]
    return found[0] if found else None


def channel_for(letter) -> str:
    """Email when the referrer gave an address, otherwise post when the organisation has one."""
    if letter.referral.referrer_email:
        return DeliveryChannel.EMAIL
    organisation = letter.referral.referring_organisation
    if organisation is not None and organisation.address and organisation.postcode:
        return DeliveryChannel.POST
    return ""


def send(letter, pdf: bytes, channel: str) -> str:
    """Hand the letter to Notify, unless an earlier attempt already did (its answer lost); Notify's
    id for it. The reference Notify keeps is the letter's own (``letter-<id>``), never a name."""
    reference = f"letter-{letter.pk}"
    found = already_sent(reference)
    if found is not None:
        return found["id"]
    if channel == DeliveryChannel.EMAIL:
        answer = client().send_email_notification(
            email_address=letter.referral.referrer_email,
            template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation={
                "reference": letter.referral.reference,
                "link_to_file": prepare_upload(
                    io.BytesIO(pdf), filename=f"{letter.referral.reference}.pdf", confirm_email_before_download=True
                ),
            },
            reference=reference,
        )
    else:
        answer = client().send_precompiled_letter_notification(reference=reference, pdf_file=io.BytesIO(pdf))
    return answer["id"]


def status_of(letter) -> str:
    """The letter's delivery status as Notify reports it now."""
    answer = client().get_notification_by_id(letter.notify_id)
    table = EMAIL_STATUSES if letter.delivery_channel == DeliveryChannel.EMAIL else LETTER_STATUSES
    return table.get(answer.get("status", ""), DeliveryStatus.SENT)
