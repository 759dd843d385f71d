"""The worlds the access matrix is tested in: one record of every registered type, and one user of
each role standing to it in the state under test.

Three groups of anchor records are made:

- **ordinary**: a perpetrator case (subject Sam), its referral and its subject's person record;
- **sealed**: a perpetrator case whose subject Sol is sealed (a client who asked for it), with his
  contact details;
- **far side**: Vera's victim case, her referral and her person record (sealed by the victim case),
  across an information barrier from the perpetrator case of Stan, who stalks her.

Every user of the state is then put in it (on the case team, on the care team, holding a grant,
on Stan's team …) by writing the rows directly, not through the services: the rules must hold
whatever the data says, even for a role no service would let on a team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory, TrainingRecordFactory, UserFactory
from casework.assessments.models import (
    Addendum,
    Assessment,
    InformationSource,
    Judgement,
    KeptDefinition,
    ManagementPlan,
    PlanAction,
    Review,
    RiskScenario,
)
from casework.audit.models import BreakGlassGrant
from casework.billing.models import BillableEvent
from casework.cases.choices import CaseKind, PartyRole, TeamRole
from casework.cases.models import (
    AgencyOfficer,
    CaseNote,
    CaseNoteAddendum,
    CaseParty,
    CaseReferral,
    CaseService,
    CaseStatusChange,
    CaseTeamMember,
    InvolvedAgency,
    KeptRisk,
    MappaMeeting,
    MappaRegistration,
    StalkingEpisode,
)
from casework.cases.services.opening import case_open
from casework.cases.tests.factories import HearingFactory, IncidentFactory, OrderFactory, ready_referral
from casework.consultations.models import ConsultationMeeting, ConsultationRequest
from casework.core.roles import Role
from casework.people import services as people_services
from casework.people.models import (
    OnlineIdentifier,
    PersonAddress,
    PersonCareTeam,
    PersonEmail,
    PersonMatchKey,
    PersonName,
    PersonPhone,
    Platform,
    ReferralPersonLink,
)
from casework.people.tests.factories import create_person
from casework.referrals.choices import SubjectRole
from casework.referrals.models import NamedParty, RequestedService, Transition
from casework.referrals.tests.factories import LetterFactory, ReferralDocumentFactory, TransitionFactory
from casework.reports.models import (
    DisclosureEntry,
    IssuedReport,
    Report,
    ReportComment,
    ReportRequest,
    ReportSection,
    ReportVersion,
)
from casework.treatment.models import (
    Appointment,
    ComplianceNotice,
    Enrolment,
    FollowUp,
    KeptProgramme,
    OutcomeMeasure,
    SessionNote,
)
from casework.victims.models import SafetyPlanVersion, VictimMessage

ROLES = ("coordinator", "clinician", "clinical_lead", "finance", "researcher", "sysadmin", "agency")
ROLE_OF = {
    "coordinator": Role.REFERRALS_COORDINATOR,
    "clinician": Role.CLINICIAN,
    "clinical_lead": Role.CLINICAL_LEAD,
    "finance": Role.FINANCE_OFFICER,
    "researcher": Role.RESEARCHER,
    "sysadmin": Role.SYSTEM_ADMINISTRATOR,
    "agency": Role.AGENCY_REFERRER,
}
STATES = (
    "plain",
    "related",
    "break_glass",
    "across_barrier",
    "across_barrier_break_glass",
    "sealed",
    "sealed_care_team",
    "sealed_break_glass",
)
# Which group of anchors each state's records hang off.
GROUP_OF = {
    "plain": "ordinary",
    "related": "ordinary",
    "break_glass": "ordinary",
    "across_barrier": "far_side",
    "across_barrier_break_glass": "far_side",
    "sealed": "sealed",
    "sealed_care_team": "sealed",
    "sealed_break_glass": "sealed",
}


@dataclass
class Anchors:
    case: object
    referral: object
    person: object


@dataclass
class World:
    users: dict[str, object]
    groups: dict[str, Anchors]
    records: dict[str, object] = field(default_factory=dict)
    organisation: object = None


def _anchors_for_ordinary(setup, organisation) -> Anchors:
    sam = create_person(by=setup.coordinator, given_name="Sam", family_name="Ordinary", sex="male")
    wendy = create_person(by=setup.coordinator, given_name="Wendy", family_name="Named", sex="female")
    referral = ready_referral(
        subject=sam,
        lead_clinician=setup.clinician,
        coordinator=setup.coordinator,
        referring_organisation=organisation,
        victims=[(wendy, "Wendy N", "Neighbour")],
    )
    case = case_open(referral=referral, kind=CaseKind.PERPETRATOR, lead_clinician=setup.clinician, by=setup.lead)
    return Anchors(case=case, referral=referral, person=sam)


def _anchors_for_sealed(setup, organisation) -> Anchors:
    sol = create_person(by=setup.coordinator, given_name="Sol", family_name="Sealed", sex="male")
    referral = ready_referral(
        subject=sol, lead_clinician=setup.clinician, coordinator=setup.coordinator, referring_organisation=organisation
    )
    case = case_open(referral=referral, kind=CaseKind.PERPETRATOR, lead_clinician=setup.clinician, by=setup.lead)
    people_services.person_seal(person=sol, by=setup.coordinator, reason="He asked for his address to be kept back")
    sol.refresh_from_db()
    return Anchors(case=case, referral=referral, person=sol)


def _anchors_for_far_side(setup, organisation) -> tuple[Anchors, object]:
    """Vera's victim case, across the barrier from Stan's perpetrator case (returned second)."""
    stan = create_person(by=setup.coordinator, given_name="Stan", family_name="Farside", sex="male")
    vera = create_person(by=setup.coordinator, given_name="Vera", family_name="Farside", sex="female")
    vera_referral = ready_referral(
        subject=vera,
        lead_clinician=setup.victim_clinician,
        coordinator=setup.coordinator,
        subject_role=SubjectRole.VICTIM,
        referring_organisation=organisation,
    )
    victim_case = case_open(
        referral=vera_referral, kind=CaseKind.VICTIM, lead_clinician=setup.victim_clinician, by=setup.lead
    )
    stan_referral = ready_referral(
        subject=stan,
        lead_clinician=setup.clinician,
        coordinator=setup.coordinator,
        referring_organisation=organisation,
        victims=[(vera, "Vee", "Former partner")],
    )
    stan_case = case_open(
        referral=stan_referral, kind=CaseKind.PERPETRATOR, lead_clinician=setup.clinician, by=setup.lead
    )
    vera.refresh_from_db()
    return Anchors(case=victim_case, referral=vera_referral, person=vera), stan_case


@dataclass
class Setup:
    coordinator: object
    lead: object
    clinician: object
    victim_clinician: object


def build_world(state: str) -> World:
    organisation = OrganisationFactory(name="Matrixshire Police")
    setup = Setup(
        coordinator=UserFactory(role=Role.REFERRALS_COORDINATOR, full_name="Setup Coordinator"),
        lead=UserFactory(role=Role.CLINICAL_LEAD, full_name="Setup Lead"),
        clinician=UserFactory(role=Role.CLINICIAN, full_name="Setup Clinician"),
        victim_clinician=UserFactory(role=Role.CLINICIAN, full_name="Setup Victim Clinician"),
    )
    users = {}
    for name in ROLES:
        user = UserFactory(
            role=ROLE_OF[name], full_name=f"Matrix {name}", organisation=organisation if name == "agency" else None
        )
        if name in ("clinician", "clinical_lead"):
            TrainingRecordFactory(user=user)
        users[name] = user
    group = GROUP_OF[state]
    if group == "ordinary":
        anchors = _anchors_for_ordinary(setup, organisation)
    elif group == "sealed":
        anchors = _anchors_for_sealed(setup, organisation)
    else:
        anchors, stan_case = _anchors_for_far_side(setup, organisation)
    world = World(users=users, groups={group: anchors}, organisation=organisation)
    world.records = make_records(anchors, setup)
    _put_users_in_state(state, world, anchors, setup, locals().get("stan_case"))
    return world


def _put_users_in_state(state: str, world: World, anchors: Anchors, setup: Setup, stan_case) -> None:
    now = timezone.now()
    for name, user in world.users.items():
        if state in ("related", "sealed", "sealed_care_team", "sealed_break_glass"):
            _relate(user, anchors, setup, now)
        if state == "sealed_care_team":
            PersonCareTeam.objects.create(
                person=anchors.person, user=user, role="clinician", added_at=now, added_by=setup.lead
            )
        if state in ("across_barrier", "across_barrier_break_glass"):
            # On Stan's side: on his case team, or (an agency officer) the sender of his referral.
            if name == "agency":
                stan_referral = stan_case.case_referrals.get().referral
                type(stan_referral).objects.filter(pk=stan_referral.pk).update(created_by=user)
            else:
                CaseTeamMember.objects.create(
                    case=stan_case, user=user, role=TeamRole.CLINICIAN, added_at=now, added_by=setup.lead
                )
        if state.endswith("break_glass"):
            for obj in (anchors.case, anchors.referral, anchors.person):
                BreakGlassGrant.objects.create(
                    user=user,
                    object_type=obj._meta.label_lower,
                    object_id=str(obj.pk),
                    object_label=obj.reference,
                    reason="Matrix world: an emergency call tonight",
                    granted_at=now,
                    expires_at=now + dt.timedelta(hours=8),
                )


def _relate(user, anchors: Anchors, setup: Setup, now) -> None:
    """The relationship each role can have: staff on the case team (which relates them to its
    referral and its subject's person record), an agency officer as the referral's sender."""
    if user.role == Role.AGENCY_REFERRER:
        type(anchors.referral).objects.filter(pk=anchors.referral.pk).update(created_by=user)
        return
    CaseTeamMember.objects.create(
        case=anchors.case, user=user, role=TeamRole.CLINICIAN, added_at=now, added_by=setup.lead
    )


def make_records(anchors: Anchors, setup: Setup) -> dict[str, object]:
    """One record of every registered type, hanging off ``anchors``, by its audit label."""
    case, referral, person = anchors.case, anchors.referral, anchors.person
    by, now = setup.lead, timezone.now()
    subject_party = case.parties.get(role=PartyRole.SUBJECT)
    victim_party = case.parties.filter(role__in=[PartyRole.VICTIM]).first() or CaseParty.objects.create(
        case=case,
        person=create_person(by=setup.coordinator, given_name="Vic", family_name="Party"),
        role=PartyRole.VICTIM,
        name_as_given="Vic P",
        added_at=now,
        added_by=by,
    )
    episode_victim = subject_party if case.kind == CaseKind.VICTIM else victim_party
    agency = InvolvedAgency.objects.create(case=case, name="Matrix Womens Aid", added_at=now, added_by=by)
    mappa = MappaRegistration.objects.filter(case=case).first() or MappaRegistration.objects.create(
        case=case, category=1, level=2, updated_at=now, updated_by=by
    )
    note = CaseNote.objects.create(
        case=case,
        kind="client_contact",
        contact_on=dt.date(2026, 11, 30),
        text="Matrix note",
        author=by,
        created_at=now,
        editable_until=now,
    )
    # The setup coordinator joins the person's care team to record their details (a sealed person's
    # are for the care team only); they are not one of the users under test.
    PersonCareTeam.objects.get_or_create(
        person=person, user=setup.coordinator, defaults={"role": "clinician", "added_at": now, "added_by": by}
    )
    people_services.detail_add(
        person=person, model=PersonAddress, by=setup.coordinator, address="1 Matrix Row", postcode="LS1 4AP"
    )
    people_services.detail_add(person=person, model=PersonPhone, by=setup.coordinator, number="0113 496 0000")
    people_services.detail_add(person=person, model=PersonEmail, by=setup.coordinator, address="matrix@example.org")
    people_services.detail_add(
        person=person, model=OnlineIdentifier, by=setup.coordinator, platform=Platform.INSTAGRAM, handle="@matrixhandle"
    )
    people_services.detail_add(
        person=person, model=PersonName, by=setup.coordinator, kind="alias", given_name="Matty", family_name="Alias"
    )
    assessment = Assessment.objects.create(
        case=case,
        definition=KeptDefinition.objects.get_or_create(
            content_hash="0" * 64, defaults={"code": "matrix", "version": "1.0", "title": "Matrix", "content": {}}
        )[0],
        setting="community",
        assessor=by,
        updated_by=by,
        answers={"formulation": {"value": "Matrix formulation"}},
    )
    plan = ManagementPlan.objects.create(assessment=assessment, review_on=dt.date(2027, 6, 1), created_by=by)
    report_request = ReportRequest.objects.create(
        case=case, report_type="sentencing", due_on=dt.date(2027, 1, 15), created_by=by, updated_by=by
    )
    report = Report.objects.create(request=report_request, author=by, created_by=by)
    report_version = ReportVersion.objects.create(report=report, number=1, saved_by=by, sections=[])
    recipient = OrganisationFactory(name="Matrix Crown Court")
    issued = IssuedReport.objects.create(
        report=report,
        number=1,
        version=report_version,
        recipient=recipient,
        recipient_side="court",
        pdf=ContentFile(b"%PDF-1.7 matrix", name="matrix.pdf"),
        pdf_sha256="0" * 64,
        docx=ContentFile(b"PK matrix", name="matrix.docx"),
        docx_sha256="0" * 64,
        issued_by=by,
    )
    enrolment = Enrolment.objects.create(
        case=case,
        programme=KeptProgramme.objects.get_or_create(
            content_hash="1" * 64, defaults={"code": "matrix", "version": "1.0", "title": "Matrix", "content": {}}
        )[0],
        legal_basis="community_order",
        starts_on=dt.date(2026, 11, 1),
        created_by=by,
        updated_by=by,
    )
    appointment = Appointment.objects.create(
        case=case,
        enrolment=enrolment,
        kind="treatment",
        clinician=by,
        place_kind="video",
        starts_at=now,
        created_by=by,
    )
    safety_plan = SafetyPlanVersion.objects.create(
        case=case,
        number=1,
        channels=["letter"],
        contact_days=["0"],
        contact_from=dt.time(9),
        contact_until=dt.time(17),
        agreed_on=dt.date(2026, 11, 1),
        review_on=dt.date(2027, 2, 1),
        recorded_by=by,
    )
    return {
        "victims.safetyplanversion": safety_plan,
        "victims.victimmessage": VictimMessage.objects.create(
            case=case, channel="letter", text="Matrix", plan=safety_plan, reference="matrix-victim", created_by=by
        ),
        "consultations.consultationrequest": ConsultationRequest.objects.create(
            case=case,
            agency=recipient,
            officer_name="Matrix officer",
            question="Matrix question",
            received_on=dt.date(2026, 11, 1),
            created_by=by,
            updated_by=by,
        ),
        "consultations.consultationmeeting": ConsultationMeeting.objects.create(
            case=case, held_on=dt.date(2026, 11, 2), attendees="Matrix", minutes="Matrix minutes", recorded_by=by
        ),
        "billing.billableevent": BillableEvent.objects.create(
            source_kind="appointment",
            source_id=appointment.pk,
            case=case,
            organisation=recipient,
            service="treatment_session",
            occurred_on=dt.date(2026, 11, 2),
            price_source="tariff",
            unit_price="150.00",
            net_amount="150.00",
            vat_amount="0.00",
            raised_by=by,
        ),
        "treatment.enrolment": enrolment,
        "treatment.appointment": appointment,
        "treatment.sessionnote": SessionNote.objects.create(appointment=appointment, created_by=by),
        "treatment.compliancenotice": ComplianceNotice.objects.create(
            enrolment=enrolment, reason="Matrix", channel="email", idempotency_key="matrix", raised_by=by
        ),
        "treatment.outcomemeasure": OutcomeMeasure.objects.create(
            enrolment=enrolment, measure="matrix", stage="start", score=1, taken_on=dt.date(2026, 11, 2), recorded_by=by
        ),
        "treatment.followup": FollowUp.objects.create(enrolment=enrolment, point=6, due_on=dt.date(2027, 6, 1)),
        "reports.reportrequest": report_request,
        "reports.report": report,
        "reports.reportsection": ReportSection.objects.create(
            report=report, key="opinion", title="Opinion", position=1, body="Matrix opinion", updated_by=by
        ),
        "reports.reportversion": report_version,
        "reports.reportcomment": ReportComment.objects.create(
            report=report, section_key="opinion", body="Matrix comment", created_by=by
        ),
        "reports.issuedreport": issued,
        "reports.disclosureentry": DisclosureEntry.objects.create(
            case=case,
            issued_report=issued,
            description="Matrix report",
            recipient=recipient,
            method="post",
            legal_basis="letter_of_instruction",
            released_by=by,
        ),
        "assessments.assessment": assessment,
        "assessments.managementplan": plan,
        "assessments.planaction": PlanAction.objects.create(
            plan=plan,
            area="monitoring",
            description="Matrix action",
            agency="Police",
            person="PC Matrix",
            due_on=dt.date(2027, 1, 1),
            updated_by=by,
        ),
        "assessments.judgement": Judgement.objects.create(assessment=assessment, outcome="violence", level="low"),
        "assessments.informationsource": InformationSource.objects.create(
            assessment=assessment, kind="records", description="Matrix records", added_by=by
        ),
        "assessments.riskscenario": RiskScenario.objects.create(
            assessment=assessment, nature="Matrix", severity="low", imminence="weeks", likelihood="low", added_by=by
        ),
        "assessments.review": Review.objects.create(assessment=assessment, decision="returned", reviewer=by),
        "assessments.addendum": Addendum.objects.create(assessment=assessment, text="Matrix addendum", author=by),
        "cases.case": case,
        "cases.caseparty": victim_party,
        "cases.casereferral": CaseReferral.objects.get(referral=referral),
        "cases.casestatuschange": CaseStatusChange.objects.filter(case=case).first(),
        "cases.caseteammember": CaseTeamMember.objects.filter(case=case).first(),
        "cases.stalkingepisode": StalkingEpisode.objects.create(
            case=case, victim=episode_victim, prior_relationship="ex_intimate_partner", updated_at=now, updated_by=by
        ),
        "cases.incident": IncidentFactory(case=case, victim=episode_victim),
        "cases.legalorder": OrderFactory(case=case),
        "cases.keptrisk": KeptRisk.objects.create(
            case=case, assessed_on=dt.date(2026, 12, 1), version=0, rule="", flagged=False, assessed_at=now
        ),
        "cases.hearing": HearingFactory(case=case),
        "cases.caseservice": CaseService.objects.create(
            case=case, service="report_sentencing", due_on=dt.date(2026, 12, 20), added_at=now, added_by=by
        ),
        "cases.mapparegistration": mappa,
        "cases.mappameeting": MappaMeeting.objects.create(
            case=case, meets_on=dt.date(2026, 12, 1), recorded_by=by, recorded_at=now
        ),
        "cases.involvedagency": agency,
        "cases.agencyofficer": AgencyOfficer.objects.create(
            agency=agency, role="victim_advocate", name="Ada Matrix", added_at=now, added_by=by
        ),
        "cases.casenote": note,
        "cases.casenoteaddendum": CaseNoteAddendum.objects.create(
            note=note, text="Matrix addendum", author=by, created_at=now
        ),
        "people.person": person,
        "people.personname": PersonName.objects.filter(person=person).first(),
        "people.personaddress": PersonAddress.objects.filter(person=person).first(),
        "people.personphone": PersonPhone.objects.filter(person=person).first(),
        "people.personemail": PersonEmail.objects.filter(person=person).first(),
        "people.onlineidentifier": OnlineIdentifier.objects.filter(person=person).first(),
        "people.personmatchkey": PersonMatchKey.objects.filter(person=person).first(),
        "people.personcareteam": PersonCareTeam.objects.filter(person=person).first()
        or PersonCareTeam.objects.create(
            person=person, user=setup.victim_clinician, role="clinician", added_at=now, added_by=by
        ),
        "people.referralpersonlink": ReferralPersonLink.objects.filter(person=person).first(),
        "referrals.referral": referral,
        "referrals.requestedservice": RequestedService.objects.filter(referral=referral).first()
        or RequestedService.objects.create(referral=referral, service="assessment"),
        "referrals.namedparty": NamedParty.objects.filter(referral=referral).first()
        or NamedParty.objects.create(referral=referral, role="victim", name="Nell Named"),
        "referrals.transition": Transition.objects.filter(referral=referral).first()
        or TransitionFactory(referral=referral),
        "referrals.referraldocument": ReferralDocumentFactory(referral=referral),
        "referrals.letter": LetterFactory(referral=referral),
    }
