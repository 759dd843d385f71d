"""Who may use the agency portal. Views, templates, the navigation and the portal's My work
sections ask these permissions; nothing else tests a role. Asked about a record, the object
permissions refuse when the object is missing, so a forgotten argument denies rather than allows.

The names keep the ``referrals.`` prefix they were born with: the referrals app's draft writers
(``casework.referrals.services.intake``) check ``referrals.use_portal`` and
``referrals.portal_edit_draft`` by name. This module is autodiscovered (``rules``), so the
permissions exist before any request is served.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_agency_referrer
from casework.referrals.choices import Status


@rules.predicate
def is_own_draft(user, referral) -> bool:
    """A portal draft this user started: only its author may see or change it."""
    return (
        referral is not None
        and referral.status == Status.DRAFT
        and getattr(user, "pk", None) is not None
        and referral.created_by_id == user.pk
    )


@rules.predicate
def is_own_organisations_referral(user, referral) -> bool:
    """A submitted referral from the user's own organisation, whoever in it sent it."""
    return (
        referral is not None
        and referral.status != Status.DRAFT
        and bool(getattr(user, "organisation_id", None))
        and referral.referring_organisation_id == user.organisation_id
    )


@rules.predicate
def is_not_closed(user, referral) -> bool:
    return referral is not None and referral.status != Status.CLOSED


@rules.predicate
def is_awaiting_information(user, referral) -> bool:
    return referral is not None and referral.status == Status.AWAITING_INFORMATION


# --- The agency portal ----------------------------------------------------------------------

# Refer a case, follow your organisation's referrals. Clinic staff do not use the portal.
rules.add_perm("referrals.use_portal", is_agency_referrer)
rules.add_perm("referrals.portal_edit_draft", is_agency_referrer & is_own_draft)
rules.add_perm("referrals.portal_follow_referral", is_agency_referrer & is_own_organisations_referral)
# Sending the clinic a document for the organisation's own referral, until it is closed
# (``referrals.services.documents.agency_document_upload`` asks this by name).
rules.add_perm(
    "referrals.portal_upload_document",
    is_agency_referrer & is_own_organisations_referral & is_not_closed,
)
# Answering the clinic's request for more information, while the referral awaits it.
rules.add_perm(
    "referrals.portal_answer_request",
    is_agency_referrer & is_own_organisations_referral & is_awaiting_information,
)

# The agency's queues on "My work": its drafts, and referrals awaiting information from it.
rules.add_perm("referrals.work_agency_queue", is_agency_referrer)
