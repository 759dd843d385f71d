"""Statements pre-filled from the record: each with a link to a record that exists, never a
contact detail of anyone or a victim's name, compared across a refresh, and read in a fixed number
of queries.

The world: Stan stalks a sealed victim whose person record is "Zephyrine Quillcanary" (a new
identity) and whom the referral named "Vicky Named"; every contact detail of hers is a canary,
and the canaries are also typed into the free text of the referral, an incident, an order, the
plan and the questions asked, as staff might.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from casework.assessments import services as assessment_services
from casework.assessments.models import Assessment, InformationSource, ManagementPlan
from casework.assessments.tests import factories as assessment_factories
from casework.cases.models import CaseReferral, Hearing, Incident, LegalOrder, MappaRegistration, StalkingEpisode
from casework.cases.tests.factories import HearingFactory, IncidentFactory, OrderFactory, make_case, ready_referral
from casework.people import services as people_services
from casework.people.models import OnlineIdentifier, PersonAddress, PersonEmail, PersonPhone, Platform
from casework.people.tests.factories import create_person
from casework.referrals.tests.factories import ReferralDocumentFactory
from casework.reports import services as report_services
from casework.reports.models import ReportRequest
from casework.reports.prefill import Scrubber, fingerprint, initials, prefill, prefill_all, statement_changes
from casework.reports.sections import sections_for

CANARIES = {
    "address": "17 Kestrelcanary Close",
    "postcode": "LS2 9JT",
    "phone": "0113 496 0555",
    "phone_digits": "1134960555",
    "email": "vera.canary@example.org",
    "handle": "veracanaryhandle",
    "workplace": "Canaryworks Dental Practice",
    "given_name": "Zephyrine",
    "family_name": "Quillcanary",
    "named_given": "Vicky",
    "named_family": "Named",
    "zone": "Birdsong Parade",
}
TYPED = (
    "Followed Vicky Named to 17 Kestrelcanary Close, LS2 9JT; rang Zephyrine on 0113 496 0555 and on "
    "01134960555, messaged @veracanaryhandle and vera.canary@example.org, and waited outside "
    "Canaryworks Dental Practice. Ms Quillcanary's sister saw him."
)


def leaks(statements_by_key: dict[str, list[dict]]) -> list[tuple[str, str]]:
    found = []
    for key, statements in statements_by_key.items():
        for statement in statements:
            text = (statement["text"] + " " + statement["source"]["label"]).lower()
            digits = "".join(ch for ch in text if ch.isdigit())
            for name, value in CANARIES.items():
                if value.lower() in text or (name == "phone_digits" and value in digits):
                    found.append((key, name))
    return found


@dataclass
class PrefillWorld:
    case: object
    referral: object
    request: ReportRequest
    victim_party: object
    assessment: Assessment
    plan: ManagementPlan


def _sealed_victim(cast):
    victim = create_person(
        by=cast.coordinator,
        given_name=CANARIES["given_name"],
        family_name=CANARIES["family_name"],
        workplace=CANARIES["workplace"],
    )
    add = people_services.detail_add
    add(
        person=victim,
        model=PersonAddress,
        by=cast.coordinator,
        address=CANARIES["address"] + "\nLeeds",
        postcode=CANARIES["postcode"],
    )
    add(person=victim, model=PersonPhone, by=cast.coordinator, number=CANARIES["phone"])
    add(person=victim, model=PersonEmail, by=cast.coordinator, address=CANARIES["email"])
    add(
        person=victim,
        model=OnlineIdentifier,
        by=cast.coordinator,
        platform=Platform.INSTAGRAM,
        handle="@" + CANARIES["handle"],
    )
    return people_services.person_seal(person=victim, by=cast.coordinator, reason="Victim")


def build(cast, *, incidents: int = 1) -> PrefillWorld:
    subject = create_person(by=cast.coordinator, given_name="Stan", family_name="Perpetrator", sex="male")
    victim = _sealed_victim(cast)
    referral = ready_referral(
        subject=subject,
        lead_clinician=cast.clinician,
        coordinator=cast.coordinator,
        victims=[(victim, "Vicky Named", "Former partner")],
        referring_organisation=cast.organisation,
        referrer_name="DC Dana Instructing",
        referrer_email="dana.instructing@example.police.uk",
        accepted_services=["stalker_assessment", "report_sentencing"],
        report_due_on=timezone.localdate() + dt.timedelta(days=30),
        behaviour_summary=TYPED,
        behaviour_duration="8 months",
    )
    ReferralDocumentFactory(referral=referral, original_name="Statement of Vicky Named.pdf")
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referral=referral)
    victim_party = case.parties.get(person=victim)
    (request,) = report_services.requests_from_case(case=case, by=cast.clinician)
    ReportRequest.objects.filter(pk=request.pk).update(
        questions=(
            "1. Does Mr Perpetrator have a mental disorder?\n"
            "2. What is the risk to Vicky Named, who lives at 17 Kestrelcanary Close?\n"
            "   Please consider her workplace too.\n"
            "3. What disposal do you recommend?"
        )
    )
    for n in range(incidents):
        IncidentFactory(
            case=case,
            victim=victim_party,
            occurred_on=timezone.localdate() - dt.timedelta(days=40 - n),
            description=TYPED if n == 0 else f"Message {n} asking Zephyrine to meet.",
            recorded_by=cast.clinician,
        )
    OrderFactory(
        case=case,
        protects=[victim_party],
        exclusion_zone=True,
        exclusion_zone_details=f"{CANARIES['zone']} and {CANARIES['address']}",
        zone_places=["home"],
        other_conditions="Not to contact Vicky on 0113 496 0555",
        recorded_by=cast.clinician,
    )
    HearingFactory(case=case, notes="Vicky Named will attend from 17 Kestrelcanary Close", recorded_by=cast.coordinator)
    StalkingEpisode.objects.create(
        case=case,
        victim=victim_party,
        prior_relationship="ex_intimate_partner",
        started_on=timezone.localdate().replace(day=1) - dt.timedelta(days=240),
        started_precision="month",
        behaviours=["following", "text"],
        motivation_in_own_words="Vicky owes me; I know she is at Canaryworks Dental Practice",
        updated_at=timezone.now(),
        updated_by=cast.clinician,
    )
    MappaRegistration.objects.create(
        case=case,
        category=2,
        level=2,
        coordinator_name="Mo Mappa",
        coordinator_phone="0113 496 0999",
        updated_at=timezone.now(),
        updated_by=cast.clinician,
    )
    assessment = assessment_factories.signed(case, cast.clinician, cast.clinical_lead)
    plan = assessment_services.plan_start(
        assessment=assessment, review_on=timezone.localdate() + dt.timedelta(days=90), by=cast.clinician
    )
    soon = timezone.localdate() + dt.timedelta(days=7)
    assessment_services.action_add(
        plan=plan,
        area="supervision",
        description="Weekly probation appointments; no contact with Vicky Named",
        agency="Probation",
        person="Pat Probation",
        due_on=soon,
        by=cast.clinician,
    )
    assessment_services.action_add(
        plan=plan,
        area="victim_safety",
        description="Panic alarm fitted at the refuge, Canaryrefuge House",
        agency="Police",
        person="Vicky Named",
        due_on=soon,
        by=cast.clinician,
    )
    request.refresh_from_db()
    return PrefillWorld(
        case=case, referral=referral, request=request, victim_party=victim_party, assessment=assessment, plan=plan
    )


@pytest.fixture
def pworld(cast, documents_in_tmp) -> PrefillWorld:
    return build(cast)


MODELS = {
    "incident": Incident,
    "order": LegalOrder,
    "hearing": Hearing,
    "assessment": Assessment,
    "source": InformationSource,
    "plan": ManagementPlan,
    "request": ReportRequest,
}


def test_every_prefilled_section_gets_statements_with_fingerprints_and_links_to_records_that_exist(pworld):
    statements = prefill_all(pworld.request)
    assert set(statements) == {spec.key for spec in sections_for("sentencing") if spec.prefilled}
    assert all(statements[key] for key in statements), {k: len(v) for k, v in statements.items()}
    for key, listed in statements.items():
        for statement in listed:
            source = statement["source"]
            assert statement["fingerprint"] == fingerprint(statement["text"])
            assert source["label"] and statement["text"]
            match = resolve(source["path"].split("#")[0])
            if source["kind"] == "referral":
                link = CaseReferral.objects.select_related("referral").get(case=pworld.case, referral_id=source["id"])
                assert match.view_name == "referrals:detail"
                assert match.kwargs["reference"] == link.referral.reference
                continue
            assert match.kwargs.get("reference") == pworld.case.reference
            if source["kind"] == "case":
                assert source["id"] == pworld.case.pk
            else:
                assert MODELS[source["kind"]].objects.filter(pk=source["id"]).exists(), source
        keys = [(s["source"]["kind"], s["source"]["id"], s["source"]["part"]) for s in listed]
        assert len(keys) == len(set(keys)), key
    assert prefill(pworld.request, "risk") == statements["risk"]
    assert prefill(pworld.request, "mental_state") == [] and prefill(pworld.request, "declaration") == []


def test_statements_say_what_the_record_holds_where_the_report_expects_it(pworld):
    statements = prefill_all(pworld.request)
    texts = {key: [s["text"] for s in listed] for key, listed in statements.items()}
    instructions = texts["instructions"]
    assert "Instructed by Northshire Police." in instructions
    assert "The instructing officer is DC Dana Instructing." in instructions
    assert [t for t in instructions if t.startswith("Question")] == [
        "Question 1: Does Mr Perpetrator have a mental disorder?",
        "Question 2: What is the risk to V.N., who lives at [address removed]? Please consider her workplace too.",
        "Question 3: What disposal do you recommend?",
    ]
    assert not any("dana.instructing" in t for t in instructions)
    assert any(t.startswith("Interview: The client.") for t in texts["sources"])
    assert any(t.startswith("Letter of instruction, received with referral") for t in texts["sources"])
    assert not any(".pdf" in t or "Statement of" in t for t in texts["sources"])
    assert any("8 months" in t for t in texts["history"])
    assert any("Prior relationship of V.N. to the subject: ex-intimate partner" in t for t in texts["history"])
    index = texts["index_behaviour"]
    assert any("towards V.N." in t and "unwanted contact by text message" in t for t in index)
    order = next(t for t in index if t.startswith("Restraining order, made by Northshire Magistrates' Court"))
    assert "no contact with V.N." in order and "exclusion zone (at or near the victim's home)" in order
    assert any(t.startswith("Sentencing hearing on") and "Westvale Crown Court" in t for t in index)
    assert any("Category 2" in t and "Level 2" in t for t in index)
    assert not any("Mo Mappa" in t or "0999" in t for t in index)
    risk = texts["risk"]
    assert "Risk of violence: moderate. Rationale for violence." in risk
    assert any(t.startswith("Risk scenario: Turns up at her new address") for t in risk)
    assert any(t.startswith("Stalker type (Mullen, Pathé and Purcell): Rejected") for t in risk)
    opinion = texts["opinion"]
    assert any(
        t.startswith("Recommended (supervision): Weekly probation appointments; no contact with V.N.") for t in opinion
    )
    assert not any("Canaryrefuge" in t or "Panic alarm" in t for t in opinion)
    assert any("victim safety planning (1 open action)" in t for t in opinion)


def test_no_statement_holds_a_contact_detail_or_a_victims_name(pworld):
    statements = prefill_all(pworld.request)
    assert leaks(statements) == []
    everything = " ".join(s["text"] for listed in statements.values() for s in listed)
    assert "V.N." in everything
    assert "Canaryrefuge" not in everything and "Birdsong" not in everything


def test_a_victim_is_named_by_the_initials_the_referral_gave_not_by_a_new_identity():
    assert initials("Vicky Named") == "V.N."
    assert initials("Mrs Jo van Dyke") == "J.V.D."
    assert initials("") == ""


def test_the_scrubber_takes_out_details_of_people_not_in_the_index_too(pworld):
    scrub = Scrubber()
    text = scrub(
        "Call 07700 900123 or +44 20 7946 0000, write to jo@example.com, see https://example.com/jo or @jo_b; "
        "she moved to 4 Elm Grove, SW1A 1AA. Seen on 12 May 2026 at 14:00; CASE-2026-00017; NHS 943 476 5919."
    )
    assert "07700" not in text and "7946" not in text and "jo@example.com" not in text
    assert "https" not in text and "@jo_b" not in text and "Elm Grove" not in text and "SW1A" not in text
    assert "12 May 2026 at 14:00" in text and "CASE-2026-00017" in text


def test_an_ordinary_word_that_is_also_a_name_is_kept_unless_written_as_a_name(cast, documents_in_tmp):
    world = build(cast)
    from casework.reports.prefill import _Record

    scrub = _Record(world.request).scrub
    assert scrub("vicky says named things") == "vicky says named things"
    assert scrub("Vicky said so; Named was there; VICKY NAMED") == "V.N. said so; V.N. was there; V.N."
    assert scrub("Stan Perpetrator met Zephyrine Quillcanary") == "Stan Perpetrator met V.N."


def test_statement_changes_find_what_was_added_removed_and_changed_since(pworld, cast):
    before = prefill_all(pworld.request)
    new_incident = IncidentFactory(
        case=pworld.case, victim=pworld.victim_party, description="Left flowers.", recorded_by=cast.clinician
    )
    order = LegalOrder.objects.get(case=pworld.case)
    order.ends_on = order.ends_on + dt.timedelta(days=365)
    order.attend_treatment = True
    order.save()
    Hearing.objects.filter(case=pworld.case).delete()
    after = prefill_all(pworld.request)

    changes = statement_changes(before["index_behaviour"], after["index_behaviour"])
    assert [(s["source"]["kind"], s["source"]["id"]) for s in changes["added"]] == [("incident", new_incident.pk)]
    assert [s["source"]["kind"] for s in changes["removed"]] == ["hearing"]
    assert len(changes["changed"]) == 1
    old, new = changes["changed"][0]
    assert old["source"]["id"] == new["source"]["id"] == order.pk
    assert "attend treatment" in new["text"] and "attend treatment" not in old["text"]

    unchanged = statement_changes(before["risk"], after["risk"])
    assert unchanged == {"added": [], "removed": [], "changed": []}


def _queries(request) -> int:
    with CaptureQueriesContext(connection) as context:
        prefill_all(request)
    return len(context.captured_queries)


def test_the_queries_do_not_grow_with_the_record(cast, documents_in_tmp):
    small = build(cast, incidents=3)
    few = _queries(small.request)
    for n in range(27):
        IncidentFactory(
            case=small.case, victim=small.victim_party, description=f"Message {n}.", recorded_by=cast.clinician
        )
        OrderFactory(case=small.case, protects=[small.victim_party], recorded_by=cast.clinician)
        HearingFactory(case=small.case, recorded_by=cast.coordinator)
    many = _queries(small.request)
    assert many == few, (few, many)
    assert few <= 20
    assert len(prefill_all(small.request)["index_behaviour"]) == 30 + 28 + 28 + 1


def test_a_case_not_yet_assessed_gets_what_the_record_has_and_nothing_invented(cast, rworld):
    (request,) = [
        r
        for r in report_services.requests_from_case(case=rworld.case, by=cast.clinician)
        if r.report_type == "nhs_trust"
    ]
    statements = prefill_all(request)
    assert set(statements) == {"instructions", "sources", "history", "index_behaviour", "risk", "opinion"}
    assert statements["risk"] == [] and statements["opinion"] == [] and statements["index_behaviour"] == []
    assert [s["source"]["part"] for s in statements["sources"]] == [f"document:{rworld.letter.pk}"]
    assert not any(s["text"].startswith("Question") for s in statements["instructions"])
    assert statement_changes([], statements["instructions"])["added"] == statements["instructions"]
