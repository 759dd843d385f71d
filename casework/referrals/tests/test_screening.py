"""The screening decision: accept (choosing services), decline, or ask for more information,
each with a reason; declines and requests produce a letter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.audit.models import Action, AuditEvent
from casework.referrals.choices import Decision, Order, Service, Status, SubjectRole
from casework.referrals.models import Letter
from casework.referrals.services.triage import TriageRefused, screening_decide
from casework.referrals.tests.factories import NamedPartyFactory, ReferralFactory

ASSESS_AND_TREAT = [Service.STALKER_ASSESSMENT, Service.STALKER_TREATMENT]


def _screening(**kwargs):
    kwargs.setdefault("status", Status.SCREENING)
    return ReferralFactory(**kwargs)


def test_accepting_records_the_services_the_decision_and_the_clock(cast):
    referral = _screening(services=ASSESS_AND_TREAT, orders_in_force=[Order.COMMUNITY_ORDER_REQUIREMENT])
    letter = screening_decide(
        referral=referral,
        by=cast.coordinator,
        decision=Decision.ACCEPT,
        reason="Eligible",
        accepted_services=ASSESS_AND_TREAT,
    )
    assert letter.kind == Letter.Kind.ACCEPTANCE
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.accepted_services == ["stalker_assessment", "stalker_treatment"]
    assert referral.decided_by == cast.coordinator
    assert referral.days_to_decision() == 3
    event = AuditEvent.objects.get(action=Action.TRANSITION, object_id=str(referral.pk))
    assert event.changes["status"] == {"old": "screening", "new": "accepted"}
    assert event.changes["accepted_services"] == {"old": [], "new": ["stalker_assessment", "stalker_treatment"]}
    assert event.changes["decision"] == {"old": "", "new": "accept"}


def test_treatment_without_compulsion_is_refused_with_the_reason(cast):
    referral = _screening(services=ASSESS_AND_TREAT, orders_in_force=[Order.RESTRAINING_ORDER])
    with pytest.raises(TriageRefused) as refused:
        screening_decide(
            referral=referral,
            by=cast.coordinator,
            decision=Decision.ACCEPT,
            reason="Eligible",
            accepted_services=ASSESS_AND_TREAT,
        )
    assert refused.value.field == "accepted_services"
    assert "Treatment of the person who stalks cannot be accepted" in str(refused.value)
    assert "only under compulsion" in str(refused.value)
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING
    assert not AuditEvent.objects.filter(object_id=str(referral.pk), action=Action.TRANSITION).exists()


def test_the_same_referral_can_be_accepted_for_assessment_only(cast):
    referral = _screening(services=ASSESS_AND_TREAT, orders_in_force=[])
    screening_decide(
        referral=referral,
        by=cast.coordinator,
        decision=Decision.ACCEPT,
        reason="Assessment only: no compulsion for treatment",
        accepted_services=[Service.STALKER_ASSESSMENT],
    )
    referral.refresh_from_db()
    assert referral.accepted_services == ["stalker_assessment"]


def test_a_service_not_requested_cannot_be_accepted(cast):
    referral = _screening(services=[Service.STALKER_ASSESSMENT])
    with pytest.raises(TriageRefused, match="only services the referrer asked for"):
        screening_decide(
            referral=referral,
            by=cast.coordinator,
            decision=Decision.ACCEPT,
            reason="x",
            accepted_services=[Service.CONSULTATION],
        )


def test_accepting_nothing_is_refused(cast):
    with pytest.raises(TriageRefused, match="Select the services"):
        screening_decide(
            referral=_screening(), by=cast.coordinator, decision=Decision.ACCEPT, reason="x", accepted_services=[]
        )


def test_a_decision_needs_a_reason(cast):
    with pytest.raises(TriageRefused, match="Enter the reason"):
        screening_decide(referral=_screening(), by=cast.coordinator, decision=Decision.DECLINE, reason=" ")


def test_a_decision_only_while_screening(cast):
    with pytest.raises(TriageRefused, match="while the referral is being screened; its status is received"):
        screening_decide(referral=ReferralFactory(), by=cast.coordinator, decision=Decision.DECLINE, reason="No")


def test_declining_issues_a_letter_and_stops_the_decision_clock(cast):
    referral = _screening()
    letter = screening_decide(
        referral=referral,
        by=cast.coordinator,
        decision=Decision.DECLINE,
        reason="Stalking was not a significant part of the offence.",
    )
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decided_at is not None
    assert letter.kind == Letter.Kind.DECLINE
    assert referral.reference in letter.body_html
    assert "Stalking was not a significant part of the offence." in letter.body_html
    created = AuditEvent.objects.get(action=Action.CREATE, object_type="referrals.letter", object_id=str(letter.pk))
    assert created.changes["kind"] == {"old": None, "new": "decline"}


def test_asking_for_information_issues_a_letter_and_waits(cast):
    referral = _screening()
    letter = screening_decide(
        referral=referral,
        by=cast.coordinator,
        decision=Decision.REQUEST_INFORMATION,
        reason="Please send the police summary.",
    )
    referral.refresh_from_db()
    assert referral.status == Status.AWAITING_INFORMATION
    assert referral.information_requested_at is not None
    assert referral.decided_at is None  # not yet decided: the clock keeps running
    assert letter.kind == Letter.Kind.INFORMATION_REQUEST
    assert "Please send the police summary." in letter.body_html


def test_a_reason_that_names_a_victim_is_refused_for_a_letter(cast):
    referral = _screening(parties=[{"role": "victim", "name": "Vera Victimson"}])
    with pytest.raises(TriageRefused, match="must not name a person"):
        screening_decide(
            referral=referral,
            by=cast.coordinator,
            decision=Decision.REQUEST_INFORMATION,
            reason="Ask vera victimson for her statement",
        )
    assert not Letter.objects.filter(referral=referral).exists()


def test_letters_carry_no_victim_details(cast):
    referral = _screening(
        subject_role=SubjectRole.PERPETRATOR,
        subject_given_name="Percy",
        subject_family_name="Pursuer",
        parties=[{"role": "victim", "name": "Vera Victimson", "details": "12 Secret Lane"}],
    )
    letter = screening_decide(referral=referral, by=cast.coordinator, decision=Decision.DECLINE, reason="Not eligible.")
    assert "Percy Pursuer" in letter.body_html
    assert "Vera" not in letter.body_html and "Secret Lane" not in letter.body_html


def test_a_letter_about_a_victim_subject_does_not_name_them(cast):
    referral = _screening(
        subject_role=SubjectRole.VICTIM,
        subject_given_name="Vicky",
        subject_family_name="Stalked",
        services=[Service.VICTIM_ASSESSMENT],
    )
    letter = screening_decide(referral=referral, by=cast.coordinator, decision=Decision.DECLINE, reason="Out of area.")
    assert "Vicky" not in letter.body_html and "Stalked" not in letter.body_html
    assert referral.reference in letter.body_html


def test_a_report_without_a_due_date_cannot_be_accepted_until_it_has_one(cast):
    referral = _screening(services=[Service.REPORT_SENTENCING])
    with pytest.raises(TriageRefused, match="Report for sentencing cannot be accepted"):
        screening_decide(
            referral=referral,
            by=cast.coordinator,
            decision=Decision.ACCEPT,
            reason="ok",
            accepted_services=[Service.REPORT_SENTENCING],
        )
    referral.report_due_on = timezone.localdate() + dt.timedelta(days=30)
    referral.save()
    screening_decide(
        referral=referral,
        by=cast.coordinator,
        decision=Decision.ACCEPT,
        reason="ok",
        accepted_services=[Service.REPORT_SENTENCING],
    )


# --- The screening page ----------------------------------------------------------------------


def test_screening_page_shows_every_rule_with_its_reason(cast, client_for):
    referral = _screening(services=ASSESS_AND_TREAT)
    response = client_for(cast.coordinator).get(f"/referrals/{referral.reference}/screening/")
    assert response.status_code == 200
    page = response.content.decode()
    for title in (
        "Stalking, harassment or threat is a significant part of the case",
        "Treatment for the person who stalks is under compulsion, in the community",
        "A report request says when the report is needed",
        "An assessment in custody names the establishment",
    ):
        assert title in page
    assert "only under compulsion" in page
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(referral.pk)).exists()


def test_the_screening_page_shows_the_referral_it_decides_on(cast, client_for):
    referral = _screening(
        services=ASSESS_AND_TREAT, behaviour_summary="Waits outside the gym every morning", purchase_order="PO-55512"
    )
    NamedPartyFactory(referral=referral, role="victim", name="Pat Example", details="A former colleague")
    page = client_for(cast.coordinator).get(f"/referrals/{referral.reference}/screening/").content.decode()
    answers = page[page.index('data-testid="referral-answers"') : page.index('data-testid="eligibility"')]
    for shown in (
        "The referral",
        "Services asked for",
        "The behaviour",
        "Waits outside the gym every morning",
        "Other people involved",
        "Pat Example",
        "A former colleague",
        "Legal position",
        "PO-55512",
    ):
        assert shown in answers, shown
    # the decision form follows in the same page, with a link to it past the answers
    assert page.index('href="#screening"') < page.index('data-testid="referral-answers"')
    assert page.index('id="screening"') < page.index('name="decision"')


def test_rules_that_do_not_apply_say_so_on_the_page(cast, client_for):
    referral = _screening(services=[Service.STALKER_ASSESSMENT])  # no treatment, no report
    page = client_for(cast.coordinator).get(f"/referrals/{referral.reference}/screening/").content.decode()
    rules = page[page.index('data-testid="eligibility"') :]
    treatment = rules[rules.index("Treatment for the person who stalks is under compulsion") :]
    treatment = treatment[: treatment.index("</dd>")]
    assert "Does not apply" in treatment
    assert "nhsuk-tag--grey" in treatment
    assert "Meets the rule" not in treatment
    report = rules[rules.index("A report request says when the report is needed") :]
    assert "Does not apply" in report[: report.index("</dd>")]


def test_the_services_to_accept_are_revealed_only_under_accept(cast, client_for):
    referral = _screening(services=ASSESS_AND_TREAT)
    page = client_for(cast.coordinator).get(f"/referrals/{referral.reference}/screening/").content.decode()
    accept = page.index('value="accept"')
    conditional = page.index('id="conditional-id_decision"')  # NHS.UK conditional radios
    decline = page.index('value="decline"')
    assert accept < conditional < page.index('name="accepted_services"') < decline
    assert 'data-aria-controls="conditional-id_decision"' in page
    # nothing chosen yet: the services are hidden (with JavaScript; without it they show, and are ignored)
    assert "nhsuk-radios__conditional--hidden" in page[conditional - 200 : conditional]


@pytest.mark.parametrize("decision", ["decline", "request_information"])
def test_services_ticked_before_another_decision_are_ignored(cast, client_for, decision):
    """Without JavaScript the boxes stay in the page: what was ticked (even a service not asked
    for) neither refuses the decision nor is stored."""
    referral = _screening(services=ASSESS_AND_TREAT)
    response = client_for(cast.coordinator).post(
        f"/referrals/{referral.reference}/screening/",
        {
            "decision": decision,
            "accepted_services": ["stalker_assessment", "consultation"],
            "reason": "Not for this clinic.",
            "step": "confirm",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status in (Status.DECLINED, Status.AWAITING_INFORMATION)
    assert referral.accepted_services == []
    event = AuditEvent.objects.get(action=Action.TRANSITION, object_id=str(referral.pk))
    assert "accepted_services" not in event.changes


def test_a_decline_clears_services_passed_to_the_service_too(cast):
    referral = _screening(services=ASSESS_AND_TREAT)
    screening_decide(
        referral=referral,
        by=cast.coordinator,
        decision=Decision.DECLINE,
        reason="Not eligible",
        accepted_services=ASSESS_AND_TREAT,
    )
    referral.refresh_from_db()
    assert referral.accepted_services == []


def test_refused_decision_keeps_what_was_typed_and_shows_the_error_summary(cast, client_for):
    referral = _screening(services=ASSESS_AND_TREAT)
    response = client_for(cast.coordinator).post(
        f"/referrals/{referral.reference}/screening/",
        {
            "decision": "accept",
            "accepted_services": ["stalker_assessment", "stalker_treatment"],
            "reason": "My careful reasoning",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Treatment of the person who stalks cannot be accepted" in page
    assert "My careful reasoning" in page
    assert 'value="stalker_treatment" checked' in page
    assert 'value="accept" checked' in page
    conditional = page.index('id="conditional-id_decision"')
    assert "nhsuk-radios__conditional--hidden" not in page[conditional - 200 : conditional]  # accept: shown
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING


def test_missing_decision_and_reason_give_a_message_each(cast, client_for):
    referral = _screening()
    response = client_for(cast.coordinator).post(f"/referrals/{referral.reference}/screening/", {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Select a decision" in page
    assert "Enter the reason for the decision" in page


def test_declining_through_the_page_goes_to_the_letter(cast, client_for):
    referral = _screening()
    response = client_for(cast.clinical_lead).post(
        f"/referrals/{referral.reference}/screening/",
        {"decision": "decline", "reason": "Not a stalking case.", "step": "confirm"},
    )
    letter = Letter.objects.get(referral=referral)
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/letters/{letter.pk}/"


def test_accepting_through_the_page(cast, client_for):
    referral = _screening()
    response = client_for(cast.coordinator).post(
        f"/referrals/{referral.reference}/screening/",
        {"decision": "accept", "accepted_services": ["stalker_assessment"], "reason": "Eligible", "step": "confirm"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


@pytest.mark.parametrize("who", ["clinician", "finance", "researcher", "sysadmin"])
def test_others_cannot_post_a_decision(cast, client_for, who):
    referral = _screening(lead_clinician=cast.clinician)
    response = client_for(getattr(cast, who)).post(
        f"/referrals/{referral.reference}/screening/", {"decision": "decline", "reason": "No"}
    )
    assert response.status_code in (403, 404)
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING
