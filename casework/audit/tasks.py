from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def email_break_glass_alert(grant_id: int) -> int:
    """Email each clinical lead that break-glass access was used. No personal data in the email:
    only the record reference and a link; the reason is read in the system."""
    from casework.accounts.queries import active_clinical_leads
    from casework.audit.models import BreakGlassGrant

    grant = BreakGlassGrant.objects.select_related("user").get(pk=grant_id)
    recipients = [lead.email for lead in active_clinical_leads() if lead.pk != grant.user_id]
    if not recipients:
        return 0
    return send_mail(
        subject=f"Break-glass access to {grant.object_label}",
        message=(
            f"{grant.user.full_name} used break-glass access to {grant.object_label}.\n"
            "Sign in to NSC Casework to read the reason and review the access."
        ),
        from_email=None,
        recipient_list=recipients,
    )
