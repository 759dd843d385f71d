"""What the audit trail may show a reviewer: the access-review pages (who looked at a record, what a
user did, the audit search, break-glass grants and alerts) leave out every event about a record
across an information barrier from the reviewer's own cases — unless the reviewer holds an active
break-glass grant on that record, which they opened knowingly across the barrier.

The audit app asks through ``casework.audit.scope`` (it sits below this package); this module is
what answers. Events about records of every registered type are covered: an incident's events
follow its case, a document's its referral (``registry``).
"""

from __future__ import annotations

from casework.access import barrier, grants, registry
from casework.access.scopes import is_active_user


def hidden_records(user) -> dict[str, set[str]]:
    """{audit object type: {object ids}} of the records whose events ``user`` may not review.
    Usually empty, in one query; a few more when the user's cases stand beside a barrier."""
    if not is_active_user(user):
        return {}
    across_cases = barrier.across_ids(user)
    if not across_cases:
        return {}
    anchors = {
        registry.CASE: set(across_cases),
        registry.PERSON: set(barrier.persons_behind_barrier_for(user)),
        registry.REFERRAL: set(barrier.referrals_behind_barrier_for(user)),
    }
    for anchor, ids in anchors.items():
        if ids:
            ids -= grants.granted_ids(user, grants.label_of(registry.anchor_model(anchor)), ids)
    hidden: dict[str, set[str]] = {}
    for kind in registry.all_kinds():
        ids = anchors[kind.within]
        if not ids:
            continue
        if kind.is_anchor:
            hidden[kind.label] = {str(pk) for pk in ids}
        else:
            rows = kind.model.objects.filter(**{f"{kind.path}__in": sorted(ids)}).values_list("pk", flat=True)
            found = {str(pk) for pk in rows}
            if found:
                hidden[kind.label] = found
    return hidden
