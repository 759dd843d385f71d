"""The world the search tests search.

Stan is stalking Vera. Stan's perpetrator case (lead clinician ``cast.clinician``) names Vera as
"Vicky Named"; one of its incidents mentions a wombat. Vera is a client too: her victim case is led
by Val, a clinician of the victim service; her person record carries a new identity and sealed
contact details, and her case and her referral carry canary words. A third referral, Hermione's,
is in no case and is allocated to nobody. ``cast.other_clinician`` is on no team and allocated
nothing. Everything is indexed through ``reindex_all``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from casework.accounts.tests.factories import UserFactory
from casework.cases.choices import CaseKind, PartyRole
from casework.cases.services import records
from casework.cases.services.opening import case_open
from casework.cases.tests.factories import IncidentFactory, ready_referral
from casework.core.roles import Role
from casework.people import services as people_services
from casework.people.models import OnlineIdentifier, PersonAddress, PersonEmail, PersonPhone, Platform
from casework.people.tests.factories import create_person
from casework.referrals.choices import PartyRole as ReferralPartyRole
from casework.referrals.choices import SubjectRole
from casework.referrals.tests.factories import ReferralFactory
from casework.search.services import reindex_all

# Vera's sealed details: never indexed at all, so nobody, not even her own team, finds them.
SEALED_CANARIES = {
    "address": "17 Kestrelcanary Close",
    "postcode": "LS2 9JT",
    "phone": "0113 496 0555",
    "email": "vera.canary@example.org",
    "handle": "@veracanaryhandle",
    "workplace": "Canaryworks Dental Practice",
}
# Free text where referrers write addresses and contact details: never indexed either.
REFERRAL_DETAIL_CANARIES = {
    "subject_details": "12 Canarystreet Road, Leeds",
    "party_details": "Flat 3 Canarydetails House",
}
# Only in Vera's victim case and her own referral: never found from Stan's side.
VICTIM_SIDE_CANARIES = {
    "incident": "Canaryincident outside the school gates",
    "referral_summary": "Canaryreferral summary of the victim's referral",
    "new_identity": "Zephyrine Quillcanary",
}


@dataclass
class World:
    perpetrator_case: object
    perpetrator_referral: object
    victim_case: object
    victim_referral: object
    lone_referral: object
    victim_clinician: object
    lead_on_team: object


@pytest.fixture
def world(cast) -> World:
    coordinator, lead = cast.coordinator, cast.clinical_lead
    stan = create_person(by=coordinator, given_name="Stan", family_name="Perpetrator", sex="male")
    vera = create_person(
        by=coordinator,
        given_name="Zephyrine",
        family_name="Quillcanary",
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
    people_services.detail_add(person=vera, model=PersonPhone, by=coordinator, number=SEALED_CANARIES["phone"])
    people_services.detail_add(person=vera, model=PersonEmail, by=coordinator, address=SEALED_CANARIES["email"])
    people_services.detail_add(
        person=vera,
        model=OnlineIdentifier,
        by=coordinator,
        platform=Platform.INSTAGRAM,
        handle=SEALED_CANARIES["handle"],
    )

    val = UserFactory(role=Role.CLINICIAN, full_name="Val Victimteam")
    victim_referral = ready_referral(
        subject=vera,
        lead_clinician=val,
        coordinator=coordinator,
        subject_role=SubjectRole.VICTIM,
        referring_organisation=cast.organisation,
        behaviour_summary=VICTIM_SIDE_CANARIES["referral_summary"],
    )
    victim_case = case_open(referral=victim_referral, kind=CaseKind.VICTIM, lead_clinician=val, by=lead)
    subject_party = victim_case.parties.get(role=PartyRole.SUBJECT)
    records.party_add(case=victim_case, person=stan, role=PartyRole.PERSON_WHO_STALKS, name_as_given="Stan", by=lead)
    IncidentFactory(case=victim_case, victim=subject_party, description=VICTIM_SIDE_CANARIES["incident"])

    perpetrator_referral = ready_referral(
        subject=stan,
        lead_clinician=cast.clinician,
        coordinator=coordinator,
        referring_organisation=cast.organisation,
        victims=[(vera, "Vicky Named", "Former partner")],
        behaviour_summary="Repeated unwanted messages and loitering near her home after the relationship ended.",
        subject_details=REFERRAL_DETAIL_CANARIES["subject_details"],
    )
    perpetrator_referral.named_parties.update(details=REFERRAL_DETAIL_CANARIES["party_details"])
    perpetrator_case = case_open(
        referral=perpetrator_referral, kind=CaseKind.PERPETRATOR, lead_clinician=cast.clinician, by=lead
    )
    vicky = perpetrator_case.parties.get(person=vera)
    IncidentFactory(
        case=perpetrator_case,
        victim=vicky,
        description="Left a stuffed wombat on the doorstep with a note about the divorce.",
    )
    lead_on_team = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lou Leadonteam")
    from casework.cases.services.team import team_add

    team_add(case=perpetrator_case, user=lead_on_team, role="clinician", by=lead)

    lone_referral = ReferralFactory(
        subject_given_name="Hermione",
        subject_family_name="Featherstonehaugh",
        behaviour_summary="Sent flowers to her workplace every Friday and waited in the car park.",
        parties=[
            {
                "role": ReferralPartyRole.VICTIM,
                "name": "Imogen Target",
                "relationship_to_subject": "Colleague",
                "details": REFERRAL_DETAIL_CANARIES["party_details"],
            }
        ],
        subject_details=REFERRAL_DETAIL_CANARIES["subject_details"],
    )
    reindex_all()
    return World(
        perpetrator_case=perpetrator_case,
        perpetrator_referral=perpetrator_referral,
        victim_case=victim_case,
        victim_referral=victim_referral,
        lone_referral=lone_referral,
        victim_clinician=val,
        lead_on_team=lead_on_team,
    )


def references(page) -> set[str]:
    return {result.reference for result in page.object_list}
