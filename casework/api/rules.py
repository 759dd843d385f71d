"""Who may manage API tokens: the clinic's system administrators, and nobody else. A token is
revoked once; a revoked token stays listed (the trail refers to it)."""

from __future__ import annotations

import rules

from casework.accounts.rules import is_system_administrator


@rules.predicate
def is_revocable(user, token) -> bool:
    return token is not None and token.revoked_at is None


rules.add_perm("api.manage_tokens", is_system_administrator)
rules.add_perm("api.revoke_token", is_system_administrator & is_revocable)
