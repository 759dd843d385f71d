"""Who may do what with organisations. Views and templates ask these, never the role directly."""

from __future__ import annotations

import rules

from casework.accounts.rules import is_system_administrator


@rules.predicate
def organisation_is_active(user, organisation) -> bool:
    return organisation is not None and bool(organisation.is_active)


@rules.predicate
def organisation_is_inactive(user, organisation) -> bool:
    return organisation is not None and not organisation.is_active


# The organisation pages (list, create, edit, the people of an organisation): system administrators.
rules.add_perm("organisations.manage", is_system_administrator)
rules.add_perm("organisations.deactivate", is_system_administrator & organisation_is_active)
rules.add_perm("organisations.reactivate", is_system_administrator & organisation_is_inactive)
