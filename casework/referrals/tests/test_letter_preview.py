"""A screening decision's letter is previewed, and its wording may be edited, before anything is
recorded; only confirming records the decision and issues the letter. Accepting issues an
acceptance letter naming the services accepted, and no victim."""

from __future__ import annotations

import re

import pytest

from casework.core.idempotency import FIELD
from casework.referrals.choices import Decision, Order, Status
from casework.referrals.models import Letter
from casework.referrals.services.triage import ACCEPTANCE_TEXT, TriageRefused, preview_letter, screening_decide
from casework.referrals.tests.factories import ReferralFactory

VICTIM = {"role": "victim", "name": "Vera Victimson", "details": "7 Hidden Road"}
TOKEN = re.compile(r'name="idempotency_token" value="([^"]+)"')


def _screening(**kwargs):
    kwargs.setdefault("status", Status.SCREENING)
    kwargs.setdefault("parties", [VICTIM])
    return ReferralFactory(**kwargs)


def _url(referral):
    return f"/referrals/{referral.reference}/screening/"


def test_the_decision_page_leads_to_a_preview_of_the_letter_and_records_nothing(cast, client_for):
    referral = _screening()
    response = client_for(cast.coordinator).post(_url(referral), {"decision": "decline", "reason": "Out of scope."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check the letter before you record the decision" in page
    assert 'data-testid="letter-preview"' in page
    assert page.count("OFFICIAL-SENSITIVE") == 2  # as at the top and the bottom of the letter's pages
    assert "Out of scope." in page  # in the letter and in the wording box
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING
    assert not Letter.objects.exists()


def test_the_wording_can_be_edited_and_previewed_again_then_confirmed(cast, client_for):
    referral = _screening()
    client = client_for(cast.coordinator)
    edited = "The referral describes a neighbour dispute without fixation or persistence."
    again = client.post(
        _url(referral), {"decision": "decline", "reason": "Out of scope.", "letter_text": edited, "step": "preview"}
    )
    assert again.status_code == 200
    assert edited in again.content.decode()
    assert not Letter.objects.exists()
    done = client.post(
        _url(referral), {"decision": "decline", "reason": "Out of scope.", "letter_text": edited, "step": "confirm"}
    )
    letter = Letter.objects.get(referral=referral)
    assert done.status_code == 302
    assert done["Location"] == f"/referrals/{referral.reference}/letters/{letter.pk}/"
    assert edited in letter.body_html
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decision_reason == "Out of scope."  # the decision's own reason is kept as given


def test_the_preview_is_exactly_the_letter_issued(cast):
    referral = _screening()
    kwargs = {
        "referral": referral,
        "by": cast.coordinator,
        "decision": Decision.REQUEST_INFORMATION,
        "reason": "Please send the police summary.",
        "letter_text": "Please send the MG3.",
    }
    preview = preview_letter(**kwargs)
    letter = screening_decide(**kwargs)
    assert preview == letter.body_html


def test_edited_wording_that_names_a_victim_is_refused_and_the_preview_stays(cast, client_for):
    referral = _screening()
    response = client_for(cast.coordinator).post(
        _url(referral),
        {"decision": "decline", "reason": "Out of scope.", "letter_text": "Vera Victimson is safe.", "step": "confirm"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "must not name a person" in page
    assert "Check the letter before you record the decision" in page
    assert not Letter.objects.exists()
    with pytest.raises(TriageRefused):
        preview_letter(
            referral=referral,
            by=cast.coordinator,
            decision=Decision.ACCEPT,
            reason="ok",
            accepted_services=["stalker_assessment"],
            letter_text="We will see Vera Victimson.",
        )


def test_change_goes_back_to_the_decision_filled_in(cast, client_for):
    referral = _screening()
    response = client_for(cast.coordinator).post(
        _url(referral), {"decision": "decline", "reason": "My reasoning", "letter_text": "x", "step": "change"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Continue to the letter" in page
    assert "My reasoning" in page
    assert 'value="decline" checked' in page


def test_accepting_issues_an_acceptance_letter_naming_the_services_and_no_victim(cast):
    referral = _screening(
        services=["stalker_assessment", "stalker_treatment"],
        orders_in_force=[Order.COMMUNITY_ORDER_REQUIREMENT],
        subject_given_name="Percy",
        subject_family_name="Pursuer",
    )
    letter = screening_decide(
        referral=referral,
        by=cast.coordinator,
        decision=Decision.ACCEPT,
        reason="Eligible; Vera Victimson is at high risk.",
        accepted_services=["stalker_assessment"],
    )
    assert letter.kind == Letter.Kind.ACCEPTANCE
    body = letter.body_html
    assert "is accepted" in body
    assert "Assessment of the person who stalks" in body
    assert "We are not able to provide" in body  # treatment was asked for and not accepted
    assert ACCEPTANCE_TEXT in body
    assert "Vera" not in body and "Hidden Road" not in body and "high risk" not in body
    assert "Percy Pursuer" in body


def test_confirming_twice_issues_one_letter(cast, client_for):
    referral = _screening()
    client = client_for(cast.coordinator)
    preview = client.post(_url(referral), {"decision": "decline", "reason": "Out of scope."})
    token = TOKEN.search(preview.content.decode())[1]
    data = {
        "decision": "decline",
        "reason": "Out of scope.",
        "letter_text": "Out of scope.",
        "step": "confirm",
        FIELD: token,
    }
    first = client.post(_url(referral), data)
    second = client.post(_url(referral), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Letter.objects.filter(referral=referral).count() == 1
