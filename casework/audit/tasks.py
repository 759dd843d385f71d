from __future__ import annotations

from django.core.mail import send_mass_mail
from django_tasks import task

from casework.audit.models import Alert, BreakGlassGrant


@task()
def email_break_glass_alert(grant_id: int) -> int:
    """Email everyone a break-glass grant alerted (one message each): the people the access rules
    chose when the grant was opened (``casework.access.breakglass``), as its alerts record them.

    No personal data beyond the staff member's name and the record reference: the reason is
    read in the system, where reading it is audited."""
    grant = BreakGlassGrant.objects.select_related("user").get(pk=grant_id)
    recipients = sorted(
        Alert.objects.filter(grant=grant, recipient__is_active=True).values_list("recipient__email", flat=True)
    )
    across = " across an information barrier" if grant.crosses_barrier else ""
    subject = f"Break-glass access to {grant.object_label}"
    body = (
        f"{grant.user.full_name} used break-glass access{across} to {grant.object_label}.\n\n"
        "Sign in to NSC Casework and go to your alerts to read the reason they gave, "
        "review the access and acknowledge the alert.\n"
    )
    return send_mass_mail(
        [(subject, body, None, [address]) for address in recipients], fail_silently=False,
    )
