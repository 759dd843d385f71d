"""Who may read the audit trail, acknowledge alerts and use break-glass access.

Views and templates ask ``user.has_perm("audit.…")``; other apps combine the predicates here
(for example ``is_allocated | has_active_break_glass``) in their own rules.
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
def has_active_break_glass(user, obj) -> bool:
    """The user holds an unexpired break-glass grant on this record."""
    if obj is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    from casework.audit.services import active_break_glass

    return active_break_glass(user, obj) is not None


# Clinical leads audit access: who looked at a record, what a user looked at, break-glass use.
rules.add_perm("audit.review_access", is_clinical_lead)
rules.add_perm("audit.acknowledge_alert", is_alert_recipient)
# Clinical staff may open a record they are not on by giving a reason (break-glass). Whether a
# record needs it is decided by the record's own app; this only says who may ever use it.
rules.add_perm("audit.use_break_glass", is_clinical_staff)
