"""Demo data: search runs last (seeds.BUILDERS), so it indexes everything the other builders
made. Rebuilding is idempotent."""

from __future__ import annotations

from casework.search.services import reindex_all


def seed(context) -> None:
    done = reindex_all()
    context.say(f"Search: indexed {done.referrals} referrals and {done.cases} cases")
