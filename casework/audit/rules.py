"""Who may read the audit trail and see and acknowledge alerts.

Views and templates ask ``user.has_perm("audit.…")``. Break-glass, and which records' events a
reviewer may see, are the access rules' (``casework.access``).
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_clinical_lead, is_clinical_staff


@rules.predicate
def is_alert_recipient(user, alert) -> bool:
    """The alert was raised to this user (and only they may acknowledge it)."""
    return bool(
        alert is not None and getattr(user, "is_authenticated", False) and user.is_active
        and alert.recipient_id == user.pk
    )


@rules.predicate
def is_caldicott_guardian(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and getattr(user, "is_caldicott_guardian", False))


# Clinical leads audit access: who looked at a record, what a user looked at, break-glass use.
rules.add_perm("audit.review_access", is_clinical_lead)
# Alerts reach clinical leads, the Caldicott guardian, and the lead clinician of a victim's case
# when someone breaks glass across her barrier.
rules.add_perm("audit.view_alerts", is_clinical_staff | is_caldicott_guardian)
rules.add_perm("audit.acknowledge_alert", is_alert_recipient)
