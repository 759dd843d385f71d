"""Predicates the apps' ``rules`` build on, so that every permission about a record asks the one
home: ``can_read`` (any relationship, break-glass included), ``has_real_relationship`` (never
break-glass alone: needed for every change), ``is_across_barrier``, and who may use break-glass.

Example (casework/cases/rules.py)::

    rules.add_perm("cases.edit_clinical", is_clinical_staff & has_real_relationship & is_not_closed)
"""

from __future__ import annotations

import rules

from casework.access import breakglass, policy
from casework.accounts.rules import is_clinical_lead, is_clinical_staff


@rules.predicate
def can_read(user, obj) -> bool:
    return obj is not None and policy.can_read(user, obj)


@rules.predicate
def has_real_relationship(user, obj) -> bool:
    """The user may change ``obj`` as far as their role allows: a relationship that is not only a
    break-glass grant. Asked without a record it answers whether the role ever could."""
    return obj is None or policy.can_change(user, obj)


@rules.predicate
def is_across_barrier(user, obj) -> bool:
    return obj is not None and policy.is_across_barrier(user, obj)


@rules.predicate
def needs_break_glass(user, obj) -> bool:
    """The user cannot already read ``obj`` (for a person, their sealed details). Asked without a
    record it answers whether break-glass could ever be needed (for navigation): yes."""
    return obj is None or breakglass.is_needed(user, obj)


# Who may ever use break-glass: clinicians and clinical leads. Which record, and across a barrier,
# is ``breakglass.target``'s question.
rules.add_perm("access.use_break_glass", is_clinical_staff)


# --- The review of the audit trail, and alerts ------------------------------------------------------


@rules.predicate
def is_alert_recipient(user, alert) -> bool:
    """The alert was raised to this user (and only they may acknowledge it)."""
    return bool(
        alert is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and alert.recipient_id == user.pk
    )


@rules.predicate
def is_caldicott_guardian(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and getattr(user, "is_caldicott_guardian", False)
    )


# Clinical leads audit access: who looked at a record, what a user looked at, break-glass use.
rules.add_perm("audit.review_access", is_clinical_lead)
# Alerts reach clinical leads, the Caldicott guardian, and the lead clinician of a victim's case
# when someone breaks glass across her barrier.
rules.add_perm("audit.view_alerts", is_clinical_staff | is_caldicott_guardian)
rules.add_perm("audit.acknowledge_alert", is_alert_recipient)
