"""Every staff referral page, for every member of the cast: the answer the authorisation matrix
expects. The referral belongs to ``cast.organisation`` and is allocated to ``cast.clinician``;
allocation is asked about an accepted referral of the same organisation, not yet allocated."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.referrals.choices import Status
from casework.referrals.tests.factories import LetterFactory, ReferralDocumentFactory, ReferralFactory
from conftest import CAST_ROLES

# url_name: statuses for anonymous, coordinator, clinician, other_clinician, clinical_lead, finance,
# researcher, sysadmin, agency, agency_other (the order of CAST_ROLES).
MATRIX = {
    "referrals:list":              (302, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "referrals:log":               (302, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    "referrals:detail":            (302, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "referrals:edit":              (302, 200, 403, 404, 200, 404, 404, 404, 404, 404),
    "referrals:screening":         (302, 200, 403, 404, 200, 404, 404, 404, 404, 404),
    "referrals:transition":        (302, 200, 403, 404, 200, 404, 404, 404, 404, 404),
    "referrals:allocate":          (302, 403, 404, 404, 200, 404, 404, 404, 404, 404),
    "referrals:document_upload":   (302, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "referrals:document_download": (302, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "referrals:letter":            (302, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "referrals:letter_print":      (302, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "referrals:letter_pdf":        (302, 200, 200, 404, 200, 404, 404, 404, 404, 404),
    "referrals:break_glass":       (302, 404, 404, 200, 404, 404, 404, 404, 404, 404),
}


def world_kwargs(cast) -> dict[str, dict]:
    allocated = ReferralFactory(status=Status.ALLOCATED, referring_organisation=cast.organisation,
                                lead_clinician=cast.clinician)
    accepted = ReferralFactory(status=Status.ACCEPTED, referring_organisation=cast.organisation,
                               accepted_services=["stalker_assessment"])
    document = ReferralDocumentFactory(referral=allocated)
    letter = LetterFactory(referral=allocated)
    ref = {"reference": allocated.reference}
    return {
        "referrals:list": {}, "referrals:log": {},
        "referrals:detail": ref, "referrals:edit": ref, "referrals:screening": ref,
        "referrals:transition": {**ref, "target": "closed"},
        "referrals:allocate": {"reference": accepted.reference},
        "referrals:document_upload": ref,
        "referrals:document_download": {**ref, "pk": document.pk},
        "referrals:letter": {**ref, "pk": letter.pk}, "referrals:letter_print": {**ref, "pk": letter.pk},
        "referrals:letter_pdf": {**ref, "pk": letter.pk},
        "referrals:break_glass": ref,
    }


def test_every_staff_referral_url_is_in_this_matrix():
    from casework.core.tests.test_authorisation_matrix import url_names

    names = {name for name, _ in url_names() if name.startswith("referrals:")}
    assert names == set(MATRIX)


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_member_of_the_cast_gets_the_expected_answer(url_name, cast, client_for):
    url = reverse(url_name, kwargs=world_kwargs(cast)[url_name] or None)
    failures = []
    for role, expected in zip(CAST_ROLES, MATRIX[url_name], strict=True):
        user = None if role == "anonymous" else cast.by_name(role)
        status = client_for(user).get(url).status_code
        if status != expected:
            failures.append(f"{role}: expected {expected}, got {status}")
    assert not failures, f"{url_name} ({url}): " + "; ".join(failures)
