"""The information barrier (docs/adr/0007-information-barrier.md).

The world: Stan is stalking Vera. Stan's perpetrator case (lead clinician ``cast.clinician``) names
Vera as "Vicky Named", his former partner. Vera is a client too: her victim case is led by Val,
a clinician of the victim service. Every sealed detail of Vera's, her new name, and everything in
her victim case hold canary values that must never reach anyone on Stan's side.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.access import barrier, policy
from casework.access.breakglass import open_grant as break_glass_open
from casework.accounts.tests.factories import TrainingRecordFactory, UserFactory
from casework.assessments import services as assessment_services
from casework.audit.models import Alert, BreakGlassGrant
from casework.cases.choices import CaseKind, PartyRole
from casework.cases.errors import BarrierConflict, CaseRefused
from casework.cases.models import AgencyOfficer, Case, InvolvedAgency, MappaRegistration, StalkingEpisode
from casework.cases.queries import cases_visible_to
from casework.cases.services import records
from casework.cases.services.notes import addendum_add, note_add
from casework.cases.services.opening import case_open
from casework.cases.services.team import team_add
from casework.cases.tests.factories import HearingFactory, IncidentFactory, OrderFactory, ready_referral
from casework.core.roles import Role
from casework.people import services as people_services
from casework.people.models import OnlineIdentifier, PersonAddress, PersonEmail, PersonPhone, Platform
from casework.people.queries import can_see_sealed_details
from casework.people.tests.factories import create_person
from casework.referrals.choices import SubjectRole
from casework.referrals.tests.factories import ReferralDocumentFactory
from casework.treatment.models import Appointment
from casework.treatment.services import diary as diary_services
from casework.treatment.services import enrolment as enrolment_services
from casework.treatment.tests.enrolment_helpers import treated_case
from casework.treatment.tests.matrix_compliance import appointment as treatment_appointment
from casework.treatment.tests.matrix_compliance import make_notice
from casework.victims.models import SafetyPlanVersion, VictimMessage

# In every sealed field of Vera's person record.
SEALED_CANARIES = {
    "address": "17 Kestrelcanary Close",
    "postcode": "LS2 9JT",
    "phone": "0113 496 0555",
    "phone_digits": "1134960555",
    "phone_notes": "Safe after six, canarynote",
    "email": "vera.canary@example.org",
    "handle": "@veracanaryhandle",
    "workplace": "Canaryworks Dental Practice",
}
# The content of her victim case.
CASE_CANARIES = {
    "incident": "Canaryincident outside the school gates",
    "motivation": "Canarymotive he said he owned her",
    "order_court": "Canaryhold Family Court",
    "hearing_venue": "Canaryvenue County Court",
    "agency": "Canaryshire Womens Aid",
    "officer": "Ottilie Canaryadvocate",
    "officer_email": "ottilie.canary@advocacy.example.org",
    "mappa": "Canarymappa Coordinator",
    "assessment": "Canaryassessment she sleeps at her sisters flat",
    "note": "Canaryclinicalnote she is safe at the refuge now",
    "note_present": "Canarypresent IDVA Imogen",
    "addendum": "Canaryaddendum the refuge is in another county",
    "appointment_place": "Canaryplace Mental Health Unit",
    "safety_plan": "Canaryplan she keeps a go-bag at her sisters",
    "plan_officer": "DC Canaryofficer Northshire",
    "message": "Canarymessage your appointment on Tuesday",
    "therapy_note": "Canarytherapy she no longer checks the street before leaving",
}
# Her new identity: her person record's current name, not the name the referral gave. Nobody on the
# perpetrator case's team sees it anywhere (her person record and her own referral are behind the
# barrier for them); staff on neither team who keep the person index may see her record's name, so
# for them this set is checked on the cases pages and exports only.
NEW_IDENTITY = {"new_given_name": "Zephyrine", "new_family_name": "Quillcanary"}
ALL_CANARIES = {**SEALED_CANARIES, **CASE_CANARIES, **NEW_IDENTITY}


def canaries_in(body: str, canaries: dict[str, str]) -> list[str]:
    text = body.lower()
    return [name for name, value in canaries.items() if value.lower() in text]


@dataclass
class Barrier:
    perpetrator_case: Case
    victim_case: Case
    victim: object
    victim_clinician: object
    second_on_team: object
    lead_on_team: object
    break_glass_clinician: object


@pytest.fixture
def pair(cast) -> Barrier:
    coordinator, lead = cast.coordinator, cast.clinical_lead
    stan = create_person(by=coordinator, given_name="Stan", family_name="Perpetrator", sex="male")
    vera = create_person(
        by=coordinator,
        given_name=NEW_IDENTITY["new_given_name"],
        family_name=NEW_IDENTITY["new_family_name"],
        sex="female",
        workplace=SEALED_CANARIES["workplace"],
    )
    people_services.detail_add(
        person=vera,
        model=PersonAddress,
        by=coordinator,
        address=SEALED_CANARIES["address"],
        postcode=SEALED_CANARIES["postcode"],
    )
    people_services.detail_add(
        person=vera,
        model=PersonPhone,
        by=coordinator,
        number=SEALED_CANARIES["phone"],
        notes=SEALED_CANARIES["phone_notes"],
    )
    people_services.detail_add(person=vera, model=PersonEmail, by=coordinator, address=SEALED_CANARIES["email"])
    people_services.detail_add(
        person=vera,
        model=OnlineIdentifier,
        by=coordinator,
        platform=Platform.INSTAGRAM,
        handle=SEALED_CANARIES["handle"],
    )

    # Vera's own case, with canaries in everything it holds.
    val = UserFactory(role=Role.CLINICIAN, full_name="Val Victimteam")
    vera_referral = ready_referral(
        subject=vera,
        lead_clinician=val,
        coordinator=coordinator,
        subject_role=SubjectRole.VICTIM,
        referring_organisation=cast.organisation,
        behaviour_summary="Canaryreferral summary of the victim's referral",
    )
    victim_case = case_open(referral=vera_referral, kind=CaseKind.VICTIM, lead_clinician=val, by=lead)
    subject_party = victim_case.parties.get(role=PartyRole.SUBJECT)
    records.party_add(case=victim_case, person=stan, role=PartyRole.PERSON_WHO_STALKS, name_as_given="Stan", by=lead)
    IncidentFactory(case=victim_case, victim=subject_party, description=CASE_CANARIES["incident"])
    StalkingEpisode.objects.create(
        case=victim_case,
        victim=subject_party,
        prior_relationship="ex_intimate_partner",
        motivation_in_own_words=CASE_CANARIES["motivation"],
        updated_at=timezone.now(),
        updated_by=val,
    )
    OrderFactory(case=victim_case, issued_by=CASE_CANARIES["order_court"], protects=[subject_party])
    HearingFactory(case=victim_case, venue=CASE_CANARIES["hearing_venue"])
    agency = InvolvedAgency.objects.create(
        case=victim_case, name=CASE_CANARIES["agency"], added_at=timezone.now(), added_by=coordinator
    )
    AgencyOfficer.objects.create(
        agency=agency,
        role="victim_advocate",
        name=CASE_CANARIES["officer"],
        email=CASE_CANARIES["officer_email"],
        added_at=timezone.now(),
        added_by=coordinator,
    )
    victim_note = note_add(
        case=victim_case,
        kind="client_contact",
        contact_on=dt.date(2026, 11, 2),
        present=CASE_CANARIES["note_present"],
        # A sealed detail written into a note on the victim side.
        text=f"{CASE_CANARIES['note']}. Her new address is {SEALED_CANARIES['address']}, {SEALED_CANARIES['postcode']}",
        significant=True,
        by=val,
    )
    addendum_add(note=victim_note, text=CASE_CANARIES["addendum"], by=val)
    # An appointment of hers, where she is seen.
    Appointment.objects.create(
        case=victim_case,
        kind="assessment",
        clinician=val,
        place_kind="mh_facility",
        place_detail=CASE_CANARIES["appointment_place"],
        starts_at=timezone.now() + dt.timedelta(days=3),
        created_by=val,
    )
    # Her therapy: an attended session with its note, and a score at the start.
    therapy = enrolment_services.enrol(
        case=victim_case,
        programme_code="victim-recovery",
        legal_basis="voluntary",
        starts_on=timezone.localdate() - dt.timedelta(days=20),
        by=val,
    )
    enrolment_services.outcome_record(
        enrolment=therapy, measure="fear", stage="start", score=8, taken_on=therapy.starts_on, by=val
    )
    session = Appointment.objects.create(
        case=victim_case,
        enrolment=therapy,
        kind="treatment",
        clinician=val,
        place_kind="video",
        starts_at=timezone.now() - dt.timedelta(days=2),
        attendance="attended",
        created_by=val,
    )
    diary_services.session_note_add(
        appointment=session, modules=["fear-sleep"], risk_factors=["fear"], text=CASE_CANARIES["therapy_note"], by=val
    )
    # Her safety plan and a message to her (the victim pathway).
    plan = SafetyPlanVersion.objects.create(
        case=victim_case,
        number=1,
        channels=["sms"],
        contact_days=["0", "1", "2", "3", "4"],
        contact_from=dt.time(18),
        contact_until=dt.time(20),
        police_officer=CASE_CANARIES["plan_officer"],
        notes=CASE_CANARIES["safety_plan"],
        agreed_on=timezone.localdate(),
        review_on=timezone.localdate() + dt.timedelta(days=90),
        recorded_by=val,
    )
    VictimMessage.objects.create(
        case=victim_case,
        channel="sms",
        text=CASE_CANARIES["message"],
        plan=plan,
        reference="canary-message",
        created_by=val,
    )
    MappaRegistration.objects.create(
        case=victim_case,
        category=2,
        level=2,
        coordinator_name=CASE_CANARIES["mappa"],
        updated_at=timezone.now(),
        updated_by=lead,
    )

    TrainingRecordFactory(user=val, instrument="s_dash")
    screen = assessment_services.assessment_start(case=victim_case, code="s-dash", setting="community", by=val)
    assessment_services.assessment_save(
        assessment=screen,
        answers={"very_frightened": {"value": "yes", "comment": CASE_CANARIES["assessment"]}},
        expected_version=screen.row_version,
        by=val,
    )

    # Stan's case names Vera as the referral gave her.
    stan_referral = ready_referral(
        subject=stan,
        lead_clinician=cast.clinician,
        coordinator=coordinator,
        referring_organisation=cast.organisation,
        victims=[(vera, "Vicky Named", "Former partner")],
    )
    ReferralDocumentFactory(referral=stan_referral, original_name="police-summary.pdf")
    perpetrator_case = case_open(
        referral=stan_referral, kind=CaseKind.PERPETRATOR, lead_clinician=cast.clinician, by=lead
    )
    vicky = perpetrator_case.parties.get(person=vera)
    second = UserFactory(role=Role.CLINICIAN, full_name="Sid Second")
    team_add(case=perpetrator_case, user=second, role="clinician", by=lead)
    lead_on_team = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lou Leadonteam")
    team_add(case=perpetrator_case, user=lead_on_team, role="clinician", by=lead)
    IncidentFactory(case=perpetrator_case, victim=vicky, description="Texts after the order")
    OrderFactory(case=perpetrator_case, protects=[vicky])
    HearingFactory(case=perpetrator_case)
    records.episode_save(
        case=perpetrator_case,
        victim=vicky,
        prior_relationship="ex_intimate_partner",
        started_on=dt.date(2025, 3, 1),
        started_precision="month",
        behaviours=["text", "following"],
        motivation_in_own_words="She should not have left",
        by=cast.clinician,
    )
    stan_note = note_add(
        case=perpetrator_case,
        kind="client_contact",
        contact_on=dt.date(2026, 11, 3),
        text="Stan says he has not been near Vicky since the order",
        by=cast.clinician,
    )
    addendum_add(note=stan_note, text="Police confirm no sightings", by=cast.clinician)
    assessment_services.assessment_start(
        case=perpetrator_case, code="srp-structured", setting="community", by=cast.clinician
    )
    # Stan's treatment: an enrolment ended (with its follow-ups) and one active, an appointment he
    # missed, a compliance notice about it.
    treated = treated_case(cast, case=perpetrator_case)
    treatment_appointment(cast, treated.active, days_ago=5)
    make_notice(cast, treated.active)
    glass = UserFactory(role=Role.CLINICIAN, full_name="Gil Glass")
    break_glass_open(user=glass, obj=perpetrator_case, reason="On call: urgent risk call from probation tonight")
    vera.refresh_from_db()
    return Barrier(
        perpetrator_case=perpetrator_case,
        victim_case=victim_case,
        victim=vera,
        victim_clinician=val,
        second_on_team=second,
        lead_on_team=lead_on_team,
        break_glass_clinician=glass,
    )


# --- The canary walk ----------------------------------------------------------------------------

HREF = re.compile(r'href="([^"#?]+)(?:\?[^"#]*)?(?:#[^"]*)?"')


def case_urls(case: Case) -> list[str]:
    """Every cases URL about ``case``, with every object it holds."""
    ref = case.reference
    urls = [
        reverse(name, args=[ref])
        for name in (
            "cases:detail",
            "cases:timeline",
            "cases:timeline_export",
            "cases:status",
            "cases:team",
            "cases:party_add",
            "cases:incident_add",
            "cases:incident_import",
            "cases:order_add",
            "cases:hearing_add",
            "cases:mappa",
            "cases:mappa_meeting_add",
            "cases:agency_add",
            "cases:break_glass",
            "assessments:list",
            "assessments:start",
            "cases:notes",
            "cases:note_add",
        )
    ]
    for assessment in case.assessments.all():
        urls += [
            reverse(f"assessments:{name}", args=[ref, assessment.pk])
            for name in ("detail", "edit", "submit", "source_add", "scenario_add", "changes")
        ]
    urls += [reverse("reports:list", args=[ref]), reverse("reports:add", args=[ref])]
    for request_ in case.report_requests.all():
        urls += [
            reverse(f"reports:{name}", args=[ref, request_.pk])
            for name in ("detail", "edit", "write", "versions", "draft_pdf", "issue", "correct", "return")
        ]
        report = getattr(request_, "report", None)  # (a request not yet written has none)
        for issued in report.issues.all() if report else []:
            urls += [
                reverse(f"reports:{name}", args=[ref, request_.pk, issued.pk])
                for name in ("issued_pdf", "issued_docx", "release")
            ]
    urls += [reverse("cases:notes", args=[ref]) + f"?q={word}" for word in ("canary", "refuge", "kestrel")]
    urls += [reverse("cases:note_edit", args=[ref, n.pk]) for n in case.notes.all()]
    urls += [reverse("cases:addendum_add", args=[ref, n.pk]) for n in case.notes.all()]
    urls += [reverse("cases:party_edit", args=[ref, p.pk]) for p in case.parties.exclude(role=PartyRole.SUBJECT)]
    urls += [reverse("cases:episode", args=[ref, p.pk]) for p in case.parties.all()]
    urls += [reverse("cases:incident_edit", args=[ref, i.pk]) for i in case.incidents.all()]
    urls += [reverse("cases:order_edit", args=[ref, o.pk]) for o in case.orders.all()]
    urls += [reverse("cases:hearing_edit", args=[ref, h.pk]) for h in case.hearings.all()]
    urls += [reverse("cases:team_remove", args=[ref, m.pk]) for m in case.team.all()]
    for agency in case.agencies.all():
        urls.append(reverse("cases:officer_add", args=[ref, agency.pk]))
        urls += [reverse("cases:officer_edit", args=[ref, o.pk]) for o in agency.officers.all()]
    urls += [reverse(f"treatment:{name}", args=[ref]) for name in ("overview", "appointments", "notices")]
    urls += [reverse("treatment:enrolment", args=[ref, e.pk]) for e in case.enrolments.all()]
    urls += [reverse("treatment:appointment_detail", args=[ref, a.pk]) for a in case.appointments.all()]
    for enrolment in case.enrolments.all():
        urls += [reverse("treatment:notice", args=[ref, n.pk]) for n in enrolment.notices.all()]
        urls += [reverse("treatment:follow_up", args=[ref, enrolment.pk, f.pk]) for f in enrolment.follow_ups.all()]
    from casework.cases.queries import documents_of

    urls += [reverse("cases:document_download", args=[ref, d.pk]) for d in documents_of(case)]
    return urls


def walk(client, case: Case, depth: int = 3) -> dict[str, tuple[int, str]]:
    """GET every case URL, then every page of the case, the people index or the referrals that those
    pages link to (not lists, not other cases, not signing out), ``depth`` links deep."""
    prefix = f"/cases/{case.reference}/"
    seen: dict[str, tuple[int, str]] = {}
    frontier = case_urls(case)
    for _ in range(depth + 1):
        found = []
        for url in frontier:
            if url in seen:
                continue
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            seen[url] = (response.status_code, text)
            for href in HREF.findall(text):
                path = urlsplit(href).path
                if path.startswith(prefix) or (
                    path.startswith(("/people/", "/referrals/")) and path not in ("/people/", "/referrals/")
                ):
                    found.append(path)
        frontier = found
    return seen


ON_THE_PERPETRATOR_TEAM = {"lead clinician", "clinician on the team", "clinical lead on the team"}


def test_nothing_of_the_victim_reaches_anyone_on_the_perpetrator_side(cast, pair, client_for):
    perpetrator_side = {
        "lead clinician": cast.clinician,
        "clinician on the team": pair.second_on_team,
        "clinical lead on the team": pair.lead_on_team,
        "break-glass holder": pair.break_glass_clinician,
        "referrals coordinator": cast.coordinator,
        "clinical lead on neither team": cast.clinical_lead,
    }
    leaks = []
    walked = 0
    for who, user in perpetrator_side.items():
        pages = walk(client_for(user), pair.perpetrator_case)
        ok = [url for url, (status, _) in pages.items() if status == 200]
        assert reverse("cases:detail", args=[pair.perpetrator_case.reference]) in ok, who
        walked += len(ok)
        for url, (_status, body) in pages.items():
            found = canaries_in(body, {**SEALED_CANARIES, **CASE_CANARIES})
            if url.startswith("/cases/") or who in ON_THE_PERPETRATOR_TEAM:
                found += canaries_in(body, NEW_IDENTITY)
            if found:
                leaks.append(f"{who} {url}: {found}")
    assert not leaks, "\n".join(leaks)
    assert walked > 60  # the walk really reached the pages


def test_the_victim_pathway_pages_are_404_to_the_perpetrator_side_and_show_the_canaries_to_her_team(
    cast, pair, client_for
):
    ref = pair.victim_case.reference
    plan = pair.victim_case.safety_plans.get()
    message = pair.victim_case.victim_messages.get()
    urls = [
        reverse("victims:overview", args=[ref]),
        reverse("victims:plan_agree", args=[ref]),
        reverse("victims:plan_version", args=[ref, plan.number]),
        reverse("victims:message_new", args=[ref]),
        reverse("victims:message", args=[ref, message.pk]),
        reverse("victims:subject_access", args=[ref]),
    ]
    session = pair.victim_case.appointments.get(kind="treatment")
    therapy = [
        reverse("treatment:overview", args=[ref]),
        reverse("treatment:enrolment", args=[ref, session.enrolment_id]),
        reverse("treatment:appointment_detail", args=[ref, session.pk]),
    ]
    for user in (cast.clinician, pair.second_on_team, pair.lead_on_team, pair.break_glass_clinician):
        assert [client_for(user).get(url).status_code for url in urls + therapy] == [404] * len(urls + therapy)
    her_team = client_for(pair.victim_clinician)
    shown = her_team.get(urls[0]).content.decode() + her_team.get(urls[4]).content.decode()
    assert all(CASE_CANARIES[key] in shown for key in ("safety_plan", "plan_officer", "message"))
    assert CASE_CANARIES["therapy_note"] in her_team.get(reverse("cases:notes", args=[ref])).content.decode()


def test_the_walk_reaches_people_and_referral_pages_and_would_see_a_leak(cast, pair, client_for):
    """The walk follows links into the people index and the referrals, and the canaries are really
    there to be found: on the victim's own side they show."""
    pages = walk(client_for(cast.clinician), pair.perpetrator_case)
    assert any(url.startswith("/people/") and status == 200 for url, (status, _) in pages.items())
    assert any(url.startswith("/referrals/") and status == 200 for url, (status, _) in pages.items())
    # The treatment pages: the overview, each enrolment, follow-up, appointment and notice.
    treatment = [url for url in case_urls(pair.perpetrator_case) if "/treatment/" in url]
    assert len(treatment) >= 3 + 2 + 3 + 1 + 1
    assert {url: pages[url][0] for url in treatment} == dict.fromkeys(treatment, 200)
    victim_side = walk(client_for(pair.victim_clinician), pair.victim_case)
    found = set()
    for _status, body in victim_side.values():
        found.update(canaries_in(body, ALL_CANARIES))
    assert {
        "incident",
        "motivation",
        "order_court",
        "officer",
        "assessment",
        "new_given_name",
        "address",
        "phone_notes",
        "note",
        "note_present",
        "addendum",
        "appointment_place",
    } <= found


def test_the_perpetrator_case_shows_the_victim_by_the_referral_name_and_relationship_only(cast, pair, client_for):
    body = (
        client_for(cast.clinician).get(reverse("cases:detail", args=[pair.perpetrator_case.reference])).content.decode()
    )
    assert "Vicky Named" in body
    assert "Ex-intimate partner" in body
    assert 'data-testid="barrier-note"' in body
    assert reverse("people:detail", args=[pair.victim.reference]) not in body


def test_the_export_holds_only_the_referral_name(cast, pair, client_for):
    response = client_for(cast.clinician).get(reverse("cases:timeline_export", args=[pair.perpetrator_case.reference]))
    body = response.content.decode()
    assert "Vicky Named" in body
    assert not canaries_in(body, ALL_CANARIES)


# --- Seeing the other side ----------------------------------------------------------------------


def test_perpetrator_side_clinicians_cannot_see_the_victim_case(cast, pair, client_for):
    url = reverse("cases:detail", args=[pair.victim_case.reference])
    for user in (cast.clinician, pair.second_on_team, pair.break_glass_clinician):
        assert client_for(user).get(url).status_code == 404


def test_a_clinical_lead_on_the_perpetrator_team_does_not_see_the_victim_case(cast, pair, client_for):
    assert not cases_visible_to(pair.lead_on_team).filter(pk=pair.victim_case.pk).exists()
    assert (
        client_for(pair.lead_on_team).get(reverse("cases:detail", args=[pair.victim_case.reference])).status_code == 404
    )
    # A lead on neither team sees both.
    assert (
        cases_visible_to(cast.clinical_lead).filter(pk__in=[pair.victim_case.pk, pair.perpetrator_case.pk]).count() == 2
    )


def test_the_barrier_holds_the_other_way_too(cast, pair, client_for):
    url = reverse("cases:detail", args=[pair.perpetrator_case.reference])
    assert client_for(pair.victim_clinician).get(url).status_code == 404
    assert policy.is_across_barrier(pair.victim_clinician, pair.perpetrator_case)
    assert policy.is_across_barrier(cast.clinician, pair.victim_case)
    assert not policy.is_across_barrier(cast.clinical_lead, pair.victim_case)


def test_persons_behind_the_barrier(cast, pair):
    assert set(barrier.persons_behind_barrier_for(cast.clinician)) == {pair.victim.pk}
    assert set(barrier.persons_behind_barrier_for(cast.other_clinician)) == set()


def test_break_glass_across_the_barrier_is_404_for_a_clinician(cast, pair, client_for):
    url = reverse("cases:break_glass", args=[pair.victim_case.reference])
    client = client_for(cast.clinician)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "I need to see the victim's case for safety planning"}).status_code == 404
    assert not BreakGlassGrant.objects.filter(user=cast.clinician, object_type="cases.case").exists()


def test_break_glass_across_the_barrier_by_a_clinical_lead_is_marked_and_alerted(cast, pair, client_for):
    url = reverse("cases:break_glass", args=[pair.victim_case.reference])
    client = client_for(pair.lead_on_team)
    page = client.get(url)
    assert page.status_code == 200
    assert "other side of an information barrier" in page.content.decode()
    response = client.post(url, {"reason": "MAPPA level 3 meeting tomorrow needs the victim's safety plan"})
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get(user=pair.lead_on_team, object_id=str(pair.victim_case.pk))
    assert grant.crosses_barrier is True
    assert Alert.objects.filter(grant=grant, recipient=cast.clinical_lead).exists()
    assert client.get(reverse("cases:detail", args=[pair.victim_case.reference])).status_code == 200


def test_break_glass_by_a_clinician_not_across_a_barrier_is_not_marked(cast, world, client_for):
    url = reverse("cases:break_glass", args=[world.case.reference])
    response = client_for(cast.other_clinician).post(url, {"reason": "Covering for the lead clinician on leave today"})
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get(user=cast.other_clinician)
    assert grant.crosses_barrier is False
    assert client_for(cast.other_clinician).get(reverse("cases:detail", args=[world.case.reference])).status_code == 200


# --- Nobody on both teams -----------------------------------------------------------------------


def test_adding_a_victim_clinician_to_the_perpetrator_team_is_refused_with_the_reason(cast, pair, client_for):
    response = client_for(cast.clinical_lead).post(
        reverse("cases:team", args=[pair.perpetrator_case.reference]),
        {"user": str(pair.victim_clinician.pk), "role": "clinician"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "other side of an" in body and "information barrier" in body
    assert not pair.perpetrator_case.team.filter(user=pair.victim_clinician).exists()


def test_adding_a_perpetrator_clinician_to_the_victim_team_is_refused(cast, pair):
    with pytest.raises(BarrierConflict):
        team_add(case=pair.victim_case, user=pair.second_on_team, role="clinician", by=cast.clinical_lead)
    assert not pair.victim_case.team.filter(user=pair.second_on_team).exists()
    assert not can_see_sealed_details(pair.second_on_team, pair.victim)


def test_opening_a_case_that_would_put_someone_on_both_sides_is_refused_and_writes_nothing(cast, pair):
    other_referral = ready_referral(subject=pair.victim, lead_clinician=cast.clinician, subject_role=SubjectRole.VICTIM)
    before = Case.objects.count()
    with pytest.raises(BarrierConflict) as refusal:
        case_open(referral=other_referral, kind=CaseKind.VICTIM, lead_clinician=cast.clinician, by=cast.clinical_lead)
    assert "Clare Clinician" in str(refusal.value)
    assert Case.objects.count() == before
    assert not can_see_sealed_details(cast.clinician, pair.victim)


def test_a_clinician_adding_the_victim_as_a_party_is_told_only_to_ask_a_lead(cast, pair):
    """Val (victim team) is also on a new perpetrator case; she adds Vera as its victim: refused,
    and the message names no one."""
    someone = create_person(by=cast.coordinator, given_name="Other", family_name="Stalker")
    case = case_open(
        referral=ready_referral(subject=someone, lead_clinician=cast.other_clinician),
        kind=CaseKind.PERPETRATOR,
        lead_clinician=cast.other_clinician,
        by=cast.clinical_lead,
    )
    team_add(case=case, user=pair.victim_clinician, role="clinician", by=cast.clinical_lead)
    with pytest.raises(BarrierConflict) as refusal:
        records.party_add(case=case, person=pair.victim, role=PartyRole.VICTIM, by=cast.other_clinician)
    assert "Ask a clinical lead" in str(refusal.value)
    assert "Val Victimteam" not in str(refusal.value)
    assert not case.parties.filter(person=pair.victim).exists()


# --- The victim case team is the victim's care team ---------------------------------------------


def test_the_victim_case_seals_its_subject_and_its_team_is_the_care_team(cast, pair):
    pair.victim.refresh_from_db()
    assert pair.victim.is_sealed
    assert can_see_sealed_details(pair.victim_clinician, pair.victim)
    assert not can_see_sealed_details(cast.clinician, pair.victim)
    assert not can_see_sealed_details(cast.clinical_lead, pair.victim)


def test_joining_and_leaving_the_victim_team_opens_and_closes_the_sealed_details(cast, pair):
    newcomer = UserFactory(role=Role.CLINICIAN)
    member = team_add(case=pair.victim_case, user=newcomer, role="clinician", by=cast.clinical_lead)
    assert can_see_sealed_details(newcomer, pair.victim)
    from casework.cases.services.team import team_remove

    team_remove(member=member, by=cast.clinical_lead)
    assert not can_see_sealed_details(newcomer, pair.victim)


def test_nobody_puts_themselves_on_a_victim_case_team(cast, pair):
    with pytest.raises(CaseRefused):
        team_add(case=pair.victim_case, user=cast.clinical_lead, role="clinician", by=cast.clinical_lead)
    assert not pair.victim_case.team.filter(user=cast.clinical_lead).exists()


# --- Case notes ---------------------------------------------------------------------------------


def test_a_victim_case_note_is_never_reached_from_the_perpetrator_side(cast, pair, client_for):
    """The victim case's notes pages answer 404 to the perpetrator side, and its note cannot be
    reached through the perpetrator case's reference either (a note belongs to one case)."""
    victim_note = pair.victim_case.notes.get(significant=True)
    perp, victim = pair.perpetrator_case.reference, pair.victim_case.reference
    for user in (cast.clinician, pair.second_on_team, pair.lead_on_team, pair.break_glass_clinician):
        client = client_for(user)
        for url in (
            reverse("cases:notes", args=[victim]) + "?q=refuge",
            reverse("cases:note_add", args=[victim]),
            reverse("cases:note_edit", args=[victim, victim_note.pk]),
            reverse("cases:addendum_add", args=[victim, victim_note.pk]),
            reverse("cases:note_edit", args=[perp, victim_note.pk]),
            reverse("cases:addendum_add", args=[perp, victim_note.pk]),
        ):
            response = client.get(url)
            assert response.status_code in (403, 404), (user, url)
            assert not canaries_in(response.content.decode(), ALL_CANARIES), (user, url)
        searched = client.get(reverse("cases:notes", args=[perp]), {"q": "Canary"})
        if searched.status_code == 200:
            assert 'data-testid="empty"' in searched.content.decode()
