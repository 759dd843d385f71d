"""Demo data: search runs last (INSTALLED_APPS order), so it indexes everything the other apps
seeded. Rebuilding is idempotent."""

from __future__ import annotations

from casework.search.services import reindex_all


def seed(context) -> None:
    done = reindex_all()
    context.say(f"Search: indexed {done.referrals} referrals and {done.cases} cases")
