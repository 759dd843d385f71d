from __future__ import annotations

from django.core.mail import EmailMessage
from django_tasks import task

from casework.audit.models import Alert, BreakGlassGrant
from casework.worker.delivery import send_once


@task()
def email_break_glass_alert(grant_id: int) -> int:
    """Email everyone a break-glass grant alerted (one message each): the people the access rules
    chose when the grant was opened (``casework.access.breakglass``), as its alerts record them.

    No personal data beyond the staff member's name and the record reference: the reason is read in
    the system, where reading it is audited. Each message is sent once, even if the task runs again
    after a crash (``casework.worker.delivery``); returns how many this run sent."""
    grant = BreakGlassGrant.objects.select_related("user").get(pk=grant_id)
    recipients = (
        Alert.objects.filter(grant=grant, recipient__is_active=True)
        .select_related("recipient")
        .order_by("recipient_id")
    )
    across = " across an information barrier" if grant.crosses_barrier else ""
    subject = f"Break-glass access to {grant.object_label}"
    body = (
        f"{grant.user.full_name} used break-glass access{across} to {grant.object_label}.\n\n"
        "Sign in to NSC Casework and go to your alerts to read the reason they gave, "
        "review the access and acknowledge the alert.\n"
    )
    return send_once(
        (
            f"break-glass:{grant.pk}:user:{alert.recipient_id}",
            EmailMessage(subject, body, None, [alert.recipient.email]),
        )
        for alert in recipients
    )
