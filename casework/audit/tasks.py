from __future__ import annotations

from django.core.mail import EmailMessage
from django_tasks import task


@task()
def email_break_glass_alert(grant_id: int) -> int:
    """Email each clinical lead (one message each) that break-glass access was used.

    No personal data beyond the staff member's name and the record reference: the reason is
    read in the system, where reading it is audited. Each lead's message is sent once, even if
    the task runs again after a crash (``casework.worker.delivery``); returns how many were
    sent by this run."""
    from casework.accounts.queries import active_clinical_leads
    from casework.audit.models import BreakGlassGrant
    from casework.worker.delivery import send_once

    grant = BreakGlassGrant.objects.select_related("user").get(pk=grant_id)
    subject = f"Break-glass access to {grant.object_label}"
    body = (
        f"{grant.user.full_name} used break-glass access to {grant.object_label}.\n\n"
        "Sign in to NSC Casework and go to Access review to read the reason they gave, "
        "review the access and acknowledge the alert.\n"
    )
    return send_once(
        (f"break-glass:{grant.pk}:user:{lead.pk}", EmailMessage(subject, body, None, [lead.email]))
        for lead in active_clinical_leads()
        if lead.pk != grant.user_id
    )
