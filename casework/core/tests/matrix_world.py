"""The records the authorisation matrix test requests pages about.

``kwargs_for(url_name)`` gives the URL arguments. Each kind of argument is owned so that the
table's expectations are meaningful: the referral belongs to ``cast.organisation`` and is
allocated to ``cast.clinician``; ``cast.other_clinician`` is not on it; ``cast.agency_other``
belongs to another organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class World:
    cast: Any
    values: dict[str, Any] = field(default_factory=dict)
    # Per-URL overrides where one argument name means different records on different pages.
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def kwargs_for(self, url_name: str) -> dict[str, Any]:
        if url_name in self.overrides:
            return self.overrides[url_name]
        params = _url_params(url_name)
        missing = [p for p in params if p not in self.values]
        if missing:
            raise KeyError(f"matrix_world has no value for {missing} (URL {url_name}); add one in build_world")
        return {p: self.values[p] for p in params}


def _url_params(url_name: str) -> list[str]:
    from casework.core.tests.test_authorisation_matrix import url_names

    for name, pattern in url_names():
        if name == url_name:
            return list(pattern.pattern.converters.keys()) if hasattr(pattern.pattern, "converters") else []
    return []


def build_world(cast) -> World:
    from casework.referrals.choices import Status
    from casework.referrals.tests.factories import LetterFactory, ReferralDocumentFactory, ReferralFactory

    world = World(cast=cast)
    # A referral of cast.organisation allocated to cast.clinician, with a document and a letter; and an
    # accepted one of the same organisation waiting for allocation.
    allocated = ReferralFactory(
        status=Status.ALLOCATED, referring_organisation=cast.organisation, lead_clinician=cast.clinician
    )
    accepted = ReferralFactory(
        status=Status.ACCEPTED, referring_organisation=cast.organisation, accepted_services=["stalker_assessment"]
    )
    # And one of the same organisation on which the clinic awaits information (the portal's answer page).
    awaiting = ReferralFactory(status=Status.AWAITING_INFORMATION, referring_organisation=cast.organisation)
    document = ReferralDocumentFactory(referral=allocated)
    letter = LetterFactory(referral=allocated)
    ref = {"reference": allocated.reference}
    from casework.referrals.tests.factories import DraftReferralFactory, NamedPartyFactory

    draft = DraftReferralFactory(
        created_by=cast.agency, referrer_user=cast.agency, referring_organisation=cast.organisation
    )
    NamedPartyFactory(referral=draft)
    world.values.update({"draft_id": draft.pk, "step": "services", "index": 1, "letter_id": letter.pk})
    world.values["reference"] = allocated.reference
    world.overrides.update(
        {
            "referrals:transition": {**ref, "target": "closed"},
            "referrals:allocate": {"reference": accepted.reference},
            "referrals:document_download": {**ref, "pk": document.pk},
            "portal:answer": {"reference": awaiting.reference},
            **{f"referrals:{n}": {**ref, "pk": letter.pk} for n in ("letter", "letter_print", "letter_pdf")},
        }
    )
    world.values.update(
        {
            "user_id": cast.agency.pk,
            "pk": cast.agency.pk,
            "object_type": "accounts.user",
            "object_id": str(cast.agency.pk),
            "alert_id": 1,
        }
    )
    world.overrides.update(
        {
            "staff_admin:training_remove": {
                "pk": cast.clinician.pk,
                "training_pk": cast.clinician.training_records.get().pk,
            },
            # A malformed token: the page answers 404 to everyone, signed in or not.
            "staff_admin:set_password": {"uidb64": "MQ", "token": "not-a-real-token"},
            **{
                f"organisations:{n}": {"pk": cast.organisation.pk}
                for n in ("detail", "edit", "deactivate", "reactivate")
            },
        }
    )
    import uuid

    from casework.accounts.models import Passkey

    passkey = Passkey.objects.create(
        user=cast.clinician, name="Matrix key", credential_id=f"matrix-key-{uuid.uuid4().hex}".encode(), public_key=b"-"
    )
    world.overrides["accounts:passkey_remove"] = {"pk": passkey.pk}
    world.overrides["worker:task_retry"] = {"task_id": "00000000-0000-4000-8000-000000000000"}
    world.overrides.update(api_overrides(cast, allocated))
    world.overrides.update(people_overrides(cast, allocated))
    from casework.cases.tests.matrix import case_overrides

    world.overrides.update(case_overrides(cast))
    from casework.assessments.tests.matrix import assessment_overrides

    world.overrides.update(assessment_overrides(cast))
    from casework.reports.tests.matrix import report_overrides

    world.overrides.update(report_overrides(cast))
    from casework.treatment.tests.matrix import treatment_overrides

    world.overrides.update(treatment_overrides(cast))
    from casework.victims.tests.matrix import victim_overrides

    world.overrides.update(victim_overrides(cast))
    from casework.consultations.tests.matrix import consultation_overrides

    world.overrides.update(consultation_overrides(cast))
    world.overrides.update({f"insights:export_{kind}": {"figure": "decisions"} for kind in ("csv", "xlsx")})
    from casework.billing.tests.matrix import billing_overrides

    world.overrides.update(billing_overrides(cast))
    from casework.research.tests.matrix import research_overrides

    world.overrides.update(research_overrides(cast))
    _break_glass_on_the_case(world)
    return world


def _break_glass_on_the_case(world: World) -> None:
    """A clinician not on the world's case breaks the glass on it: the access review lists the
    grant and the alerts page the alert it raises to the clinical leads (an empty list is not read
    at all, so the smaller world has one of each)."""
    from casework.access.breakglass import open_grant
    from casework.accounts.tests.factories import UserFactory
    from casework.cases.models import Case
    from casework.core.roles import Role

    case = Case.objects.get(reference=world.kwargs_for("cases:detail")["reference"])
    open_grant(user=UserFactory(role=Role.CLINICIAN), obj=case, reason="Checking the case after a call out of hours")


def people_overrides(cast, allocated):
    """What matrix_world.build_world would add (allocated: the referral of cast.organisation
    allocated to cast.clinician)."""
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role
    from casework.people import services
    from casework.people.models import CareTeamRole, PersonAddress
    from casework.people.tests.factories import create_person
    from casework.referrals.tests.factories import NamedPartyFactory

    party = NamedPartyFactory(referral=allocated)
    unlinked = NamedPartyFactory(referral=allocated, role="family_member")
    person = create_person(by=cast.coordinator, given_name="Matrix", family_name="Subject")
    services.referral_link(referral=allocated, named_party=None, person=person, by=cast.coordinator)
    address = services.detail_add(person=person, model=PersonAddress, by=cast.coordinator, address="1 Matrix Road")
    member = services.care_team_add(
        person=person, user=UserFactory(role=Role.CLINICIAN), role=CareTeamRole.CLINICIAN, by=cast.clinical_lead
    )
    sealed = create_person(by=cast.coordinator, given_name="Matrix", family_name="Victim", is_sealed=True)
    services.referral_link(referral=allocated, named_party=party, person=sealed, by=cast.coordinator)
    services.care_team_add(person=sealed, user=cast.clinician, role=CareTeamRole.CLINICIAN, by=cast.clinical_lead)
    merged = create_person(by=cast.coordinator, given_name="Matrix", family_name="Duplicate")
    merge = services.person_merge(source=merged, target=person, by=cast.clinical_lead, reason="Matrix")
    p = {"reference": person.reference}
    r = {"reference": allocated.reference}
    return {
        "people:list": {},
        "people:create": {},
        **{f"people:{n}": p for n in ("detail", "edit", "seal", "opt_out", "merge", "duplicates", "care_team_add")},
        **{f"people:{n}": {"reference": sealed.reference} for n in ("unseal", "break_glass")},
        "people:care_team_remove": {**p, "pk": member.pk},
        "people:detail_add": {**p, "kind": "addresses"},
        **{f"people:{n}": {**p, "kind": "addresses", "pk": address.pk} for n in ("detail_edit", "detail_remove")},
        "people:unmerge": {"pk": merge.pk},
        "people:link_subject": r,
        "people:link_subject_new": r,
        # A party not yet linked: the pages for a party linked to a sealed person are closed to
        # everyone outside her care team (casework/cases/tests/test_barrier_in_people_and_referrals.py).
        "people:link_party": {**r, "party_id": unlinked.pk},
        "people:link_party_new": {**r, "party_id": unlinked.pk},
    }


def api_overrides(cast, referral) -> dict[str, dict[str, Any]]:
    """An API token of cast.organisation (for the revoke page). The API's own URLs take a token, not
    a session: every member of the cast (signed in or not) gets 401 there (casework/api/tests cover
    the token holders)."""
    import datetime as dt

    from django.utils import timezone

    from casework.api.services import token_create

    made = token_create(
        by=cast.sysadmin,
        organisation=cast.organisation,
        name="Matrix token",
        scopes=["referrals:read"],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    # A perpetrator case from a referral of cast.organisation, with a signed assessment and its plan
    # released with a report issued to cast.organisation, and an appointment: the FHIR reads.
    from casework.api.tests.fhir_world import Opened, book, release
    from casework.cases.tests.factories import make_case

    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referring_organisation=cast.organisation)
    released = release(cast, Opened(case, case.case_referrals.get().referral))
    appointment = book(cast, case)
    return {
        "api_tokens:revoke": {"pk": made.token.pk},
        "api:fhir_risk_assessment": {"id": f"assessment-{released.assessment.pk}"},
        "api:fhir_care_plan": {"id": f"plan-{released.plan.pk}"},
        "api:fhir_appointment": {"id": f"appointment-{appointment.pk}"},
        "api:fhir_service_request": {"reference": referral.reference},
        "api:fhir_patient": {"reference": f"{referral.reference}-subject"},
    }
