"""The records the authorisation matrix (casework/core/tests) requests case pages about.

``case_overrides(cast)`` makes a perpetrator case led by ``cast.clinician`` (``cast.other_clinician``
is on no team), with a second clinician on the team, a document, an incident, an order, a hearing,
an agency with an officer, a note by ``cast.clinician``, and a referral ready for a case; it returns the URL arguments of every
``cases:`` URL. ``EXPECTED`` (in test_access.py) is the table the matrix rows copy.
"""

from __future__ import annotations

from django.utils import timezone


def case_overrides(cast) -> dict[str, dict]:
    from casework.accounts.tests.factories import UserFactory
    from casework.cases.models import AgencyOfficer, InvolvedAgency
    from casework.cases.services.team import team_add
    from casework.cases.tests.factories import HearingFactory, IncidentFactory, OrderFactory, make_case, ready_referral
    from casework.core.roles import Role
    from casework.people.tests.factories import create_person
    from casework.referrals.tests.factories import ReferralDocumentFactory

    subject = create_person(by=cast.coordinator, given_name="Matrix", family_name="Stalker")
    victim = create_person(by=cast.coordinator, given_name="Matrix", family_name="Stalked")
    referral = ready_referral(
        subject=subject,
        lead_clinician=cast.clinician,
        coordinator=cast.coordinator,
        referring_organisation=cast.organisation,
        victims=[(victim, "Matrix Named", "Former partner")],
    )
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referral=referral)
    victim_party = case.parties.get(person=victim)
    member = team_add(case=case, user=UserFactory(role=Role.CLINICIAN), role="clinician", by=cast.clinical_lead)
    ready = ready_referral(
        lead_clinician=cast.clinician, coordinator=cast.coordinator, referring_organisation=cast.organisation
    )
    document = ReferralDocumentFactory(referral=referral)
    incident = IncidentFactory(case=case, victim=victim_party)
    order = OrderFactory(case=case, protects=[victim_party])
    hearing = HearingFactory(case=case)
    now = timezone.now()
    agency = InvolvedAgency.objects.create(case=case, name="Matrix Police", added_at=now, added_by=cast.coordinator)
    officer = AgencyOfficer.objects.create(
        agency=agency, role="police_officer", name="DC Matrix", added_at=now, added_by=cast.coordinator
    )
    from casework.cases.services.notes import note_add

    note = note_add(case=case, kind="client_contact", contact_on=now.date(), text="Matrix note", by=cast.clinician)
    c = {"reference": case.reference}
    return {
        "cases:list": {},
        "cases:open_list": {},
        "cases:open": {"referral_reference": ready.reference},
        **{
            f"cases:{name}": c
            for name in (
                "detail",
                "break_glass",
                "timeline",
                "timeline_export",
                "status",
                "team",
                "party_add",
                "incident_add",
                "incident_import",
                "order_add",
                "hearing_add",
                "mappa",
                "mappa_meeting_add",
                "agency_add",
                "notes",
                "note_add",
            )
        },
        "cases:document_download": {**c, "pk": document.pk},
        "cases:team_remove": {**c, "pk": member.pk},
        "cases:party_edit": {**c, "pk": victim_party.pk},
        "cases:episode": {**c, "pk": victim_party.pk},
        "cases:incident_edit": {**c, "pk": incident.pk},
        "cases:order_edit": {**c, "pk": order.pk},
        "cases:hearing_edit": {**c, "pk": hearing.pk},
        "cases:officer_add": {**c, "pk": agency.pk},
        "cases:officer_edit": {**c, "pk": officer.pk},
        "cases:note_edit": {**c, "pk": note.pk},
        "cases:addendum_add": {**c, "pk": note.pk},
    }
