"""Each finding of the access probe (issue 8), closed. Every test here failed before the access
rules moved into one home (``casework.access``).

The world is the information-barrier pair (``casework/cases/tests/test_information_barrier.py``):
Stan stalks Vera; ``cast.clinician`` leads Stan's case, on whose team are also ``pair.second_on_team``
and the clinical lead ``pair.lead_on_team``; Vera's victim case is led by ``pair.victim_clinician``.
Vera's records and her case hold canary values.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from casework.access import breakglass, policy
from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Action, Alert, AuditEvent, BreakGlassGrant
from casework.cases.services._shared import audit_changed
from casework.cases.services.team import team_add
from casework.cases.tests.factories import IncidentFactory
from casework.cases.tests.test_information_barrier import ALL_CANARIES, NEW_IDENTITY, canaries_in
from casework.core.roles import Role
from casework.people import services as people_services
from casework.people.models import Person
from casework.people.tests.factories import create_person
from casework.referrals.models import Referral

REASON = "MAPPA level 3 meeting tomorrow needs the safety plan"


def _victim_referral(pair):
    return pair.victim_case.case_referrals.get().referral


def _body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


# --- 1. Access review across the barrier --------------------------------------------------------


def audit_urls(pair) -> list[str]:
    victim_referral = _victim_referral(pair)
    return [
        reverse("audit:record_log", args=["cases.case", pair.victim_case.pk]),
        reverse("audit:record_log", args=["people.person", pair.victim.pk]),
        reverse("audit:record_log", args=["referrals.referral", victim_referral.pk]),
        reverse("audit:user_log", args=[pair.victim_clinician.pk]),
        reverse("audit:search") + f"?reference={pair.victim_case.reference}",
        reverse("audit:search") + f"?reference={victim_referral.reference}",
        reverse("audit:search") + f"?reference={pair.victim.reference}",
        reverse("audit:search") + f"?email={pair.victim_clinician.email}",
        reverse("audit:review"),
        reverse("audit:alerts"),
    ]


def test_the_access_review_shows_a_lead_on_the_stalkers_team_nothing_of_the_victim(cast, pair, client_for):
    # Val, the victim's clinician, reads her case and her person record.
    client_for(pair.victim_clinician).get(reverse("cases:detail", args=[pair.victim_case.reference]))
    client_for(pair.victim_clinician).get(reverse("people:detail", args=[pair.victim.reference]))
    client = client_for(pair.lead_on_team)
    leaks, statuses = [], {}
    for url in audit_urls(pair):
        response = client.get(url)
        statuses[url] = response.status_code
        body = _body(response)
        if "reference=" in url:  # the search form shows back what was typed; nothing else may name it
            body = body.replace(f'value="{url.split("reference=")[1]}"', "")
        found = canaries_in(
            body, {**ALL_CANARIES, "case_ref": pair.victim_case.reference, "person_ref": pair.victim.reference}
        )
        if found:
            leaks.append(f"{url}: {found}")
    assert not leaks, "\n".join(leaks)
    assert statuses[audit_urls(pair)[0]] == 404
    assert statuses[audit_urls(pair)[1]] == 404
    assert statuses[audit_urls(pair)[2]] == 404
    assert statuses[audit_urls(pair)[3]] == 200  # Val's own sign-ins are not hidden, her work on Vera is


def test_a_lead_on_neither_team_still_reviews_the_victims_records(cast, pair, client_for):
    client_for(pair.victim_clinician).get(reverse("cases:detail", args=[pair.victim_case.reference]))
    response = client_for(cast.clinical_lead).get(reverse("audit:record_log", args=["cases.case", pair.victim_case.pk]))
    assert response.status_code == 200
    assert pair.victim_clinician.full_name in _body(response)


def test_a_cross_barrier_break_glass_opens_the_review_of_that_record_only(cast, pair, client_for):
    breakglass.open_grant(user=pair.lead_on_team, obj=pair.victim_case, reason=REASON)
    client = client_for(pair.lead_on_team)
    assert client.get(reverse("audit:record_log", args=["cases.case", pair.victim_case.pk])).status_code == 200
    assert client.get(reverse("audit:record_log", args=["people.person", pair.victim.pk])).status_code == 404


def test_audit_events_keep_that_free_text_changed_never_its_words(cast, pair):
    party = pair.victim_case.parties.get(role="subject")
    incident = IncidentFactory(case=pair.victim_case, victim=party, description="old words")
    before = {"description": "old words"}
    incident.description = "He waited outside her new flat, canarywords"
    incident.save()
    audit_changed(
        case=pair.victim_case,
        by=pair.victim_clinician,
        request=None,
        obj=incident,
        label="incident",
        before=before,
        fields=("description",),
    )
    event = AuditEvent.objects.filter(object_type="cases.case", object_id=str(pair.victim_case.pk)).last()
    assert "canarywords" not in str(event.changes)
    assert event.changes[f"incident {incident.pk} description"] == {"old": "[not recorded]", "new": "[not recorded]"}


def test_the_victims_new_name_is_not_in_the_trail(cast, pair):
    people_services.person_update(person=pair.victim, by=cast.coordinator, given_name="Canaryrenamed")
    text = str(list(AuditEvent.objects.filter(object_type="people.person").values_list("changes", flat=True)))
    assert "Canaryrenamed" not in text
    for value in NEW_IDENTITY.values():
        assert value not in text


# --- 2. Break-glass reads, never writes -----------------------------------------------------------


CHANGES = [
    "cases.edit_clinical",
    "cases.edit_admin",
    "cases.manage_team",
    "cases.change_status",
]


@pytest.mark.parametrize("permission", CHANGES)
def test_a_lead_who_broke_glass_across_the_barrier_may_not_change_the_case(cast, pair, permission):
    breakglass.open_grant(user=pair.lead_on_team, obj=pair.victim_case, reason=REASON)
    case = type(pair.victim_case).objects.get(pk=pair.victim_case.pk)
    assert policy.can_read(pair.lead_on_team, case)
    assert not policy.can_change(pair.lead_on_team, case)
    assert not pair.lead_on_team.has_perm(permission, case)


def test_break_glass_writes_are_refused_on_every_page(cast, pair, client_for):
    breakglass.open_grant(user=pair.lead_on_team, obj=pair.victim_case, reason=REASON)
    client = client_for(pair.lead_on_team)
    ref = pair.victim_case.reference
    assert client.get(reverse("cases:detail", args=[ref])).status_code == 200
    for name in (
        "cases:incident_add",
        "cases:hearing_add",
        "cases:status",
        "cases:team",
        "cases:order_add",
        "cases:agency_add",
    ):
        assert client.get(reverse(name, args=[ref])).status_code == 403, name
    response = client.post(
        reverse("cases:team", args=[ref]), {"user": str(cast.other_clinician.pk), "role": "clinician"}
    )
    assert response.status_code == 403
    assert not pair.victim_case.team.filter(user=cast.other_clinician).exists()


def test_the_services_refuse_a_break_glass_holder_too(cast, pair):
    breakglass.open_grant(user=pair.lead_on_team, obj=pair.victim_case, reason=REASON)
    with pytest.raises(PermissionDenied):
        team_add(case=pair.victim_case, user=cast.other_clinician, role="clinician", by=pair.lead_on_team)
    assert not policy.can_read(cast.other_clinician, pair.victim_case)


def test_a_clinician_who_broke_glass_reads_and_does_not_write(cast, world, client_for):
    breakglass.open_grant(user=cast.other_clinician, obj=world.case, reason=REASON)
    client = client_for(cast.other_clinician)
    assert client.get(reverse("cases:detail", args=[world.case.reference])).status_code == 200
    assert client.get(reverse("cases:incident_add", args=[world.case.reference])).status_code == 403


# --- 3. Someone independent is always told ----------------------------------------------------------


def test_break_glass_by_the_only_clinical_lead_alerts_the_caldicott_guardian(cast, world):
    guardian = UserFactory(role=Role.CLINICIAN, full_name="Gwen Guardian", is_caldicott_guardian=True)
    # The only clinical lead breaks glass into a sealed person's details (she is not on the care team).
    sealed = create_person(by=cast.coordinator, given_name="Sally", family_name="Sealed", is_sealed=True)
    grant = breakglass.open_grant(user=cast.clinical_lead, obj=sealed, reason=REASON)
    assert set(Alert.objects.filter(grant=grant).values_list("recipient", flat=True)) == {guardian.pk}


def test_break_glass_is_refused_when_nobody_independent_can_be_told(cast):
    sealed = create_person(by=cast.coordinator, given_name="Sally", family_name="Sealed", is_sealed=True)
    with pytest.raises(breakglass.BreakGlassRefused, match="Caldicott guardian"):
        breakglass.open_grant(user=cast.clinical_lead, obj=sealed, reason=REASON)
    assert not BreakGlassGrant.objects.exists()


def test_the_refusal_is_shown_on_the_form_not_as_an_error_page(cast, client_for):
    sealed = create_person(by=cast.coordinator, given_name="Sally", family_name="Sealed", is_sealed=True)
    response = client_for(cast.clinical_lead).post(
        reverse("people:break_glass", args=[sealed.reference]), {"reason": REASON}
    )
    assert response.status_code == 400
    assert "Caldicott guardian" in _body(response)
    assert REASON in _body(response)  # what was typed is kept


def test_cross_barrier_break_glass_also_tells_the_victims_lead_clinician(cast, pair):
    grant = breakglass.open_grant(user=pair.lead_on_team, obj=pair.victim_case, reason=REASON)
    recipients = set(Alert.objects.filter(grant=grant).values_list("recipient", flat=True))
    assert recipients == {cast.clinical_lead.pk, pair.victim_clinician.pk}
    assert grant.crosses_barrier


def test_leads_who_cannot_see_the_record_are_not_its_oversight(cast, pair):
    """A lead on the victim's side is not told when a lead on her side breaks glass into Stan's case —
    well, they are on the other side: only independent leads who may review the record count."""
    lead_on_victim_team = UserFactory(role=Role.CLINICAL_LEAD, full_name="Vic Lead")
    team_add(case=pair.victim_case, user=lead_on_victim_team, role="clinician", by=cast.clinical_lead)
    grant = breakglass.open_grant(user=cast.clinical_lead, obj=Person.objects.get(pk=pair.victim.pk), reason=REASON)
    recipients = set(Alert.objects.filter(grant=grant).values_list("recipient", flat=True))
    assert pair.lead_on_team.pk not in recipients  # Vera's record is across the barrier from him
    assert lead_on_victim_team.pk in recipients


def test_the_victims_clinician_sees_the_alert_on_my_work(cast, pair, client_for):
    breakglass.open_grant(user=pair.lead_on_team, obj=pair.victim_case, reason=REASON)
    body = _body(client_for(pair.victim_clinician).get(reverse("core:my_work")))
    assert "Break-glass alerts (1)" in body
    assert client_for(pair.victim_clinician).get(reverse("audit:alerts")).status_code == 200


# --- 4. Referral break-glass follows the barrier -------------------------------------------------------


def test_referral_break_glass_across_the_barrier_is_404_for_a_clinician(cast, pair, client_for):
    url = reverse("referrals:break_glass", args=[_victim_referral(pair).reference])
    client = client_for(pair.second_on_team)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": REASON}).status_code == 404
    assert not BreakGlassGrant.objects.filter(user=pair.second_on_team, object_type="referrals.referral").exists()


def test_referral_break_glass_across_the_barrier_by_a_lead_is_marked_and_then_opens_it(cast, pair, client_for):
    referral = _victim_referral(pair)
    client = client_for(pair.lead_on_team)
    detail = reverse("referrals:detail", args=[referral.reference])
    assert client.get(detail).status_code == 404
    response = client.post(reverse("referrals:break_glass", args=[referral.reference]), {"reason": REASON})
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get(user=pair.lead_on_team, object_type="referrals.referral")
    assert grant.crosses_barrier
    assert client.get(detail).status_code == 200
    assert not pair.lead_on_team.has_perm("referrals.edit", Referral.objects.get(pk=referral.pk))


# --- 5. Refused attempts leave a trace ----------------------------------------------------------------


def test_refused_requests_across_the_barrier_are_audited_and_shown_on_who_looked(cast, pair, client_for):
    client = client_for(pair.second_on_team)
    urls = [
        reverse("cases:detail", args=[pair.victim_case.reference]),
        reverse("cases:timeline", args=[pair.victim_case.reference]),
        reverse("people:detail", args=[pair.victim.reference]),
        reverse("referrals:detail", args=[_victim_referral(pair).reference]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    refused = AuditEvent.objects.filter(action=Action.REFUSED, actor=pair.second_on_team)
    assert refused.count() == 4
    assert set(refused.values_list("object_type", flat=True)) == {"cases.case", "people.person", "referrals.referral"}
    log = _body(
        client_for(cast.clinical_lead).get(reverse("audit:record_log", args=["cases.case", pair.victim_case.pk]))
    )
    assert "Refused" in log and pair.second_on_team.full_name in log


def test_a_request_for_a_record_that_does_not_exist_is_not_a_refusal(cast, client_for):
    assert client_for(cast.clinician).get(reverse("cases:detail", args=["CASE-2026-99999"])).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.REFUSED).exists()


# --- 7. The portal keeps to its side of a barrier -------------------------------------------------------


def test_the_stalkers_referrer_does_not_see_the_victims_referral_of_the_same_agency(cast, pair, client_for):
    stan_referral = pair.perpetrator_case.case_referrals.get().referral
    Referral.objects.filter(pk=stan_referral.pk).update(
        created_by=cast.agency, referring_organisation=cast.organisation
    )
    victim_referral = _victim_referral(pair)
    assert victim_referral.referring_organisation == cast.organisation
    assert not policy.visible(cast.agency, Referral).filter(pk=victim_referral.pk).exists()
    assert policy.visible(cast.agency, Referral).filter(pk=stan_referral.pk).exists()
    body = _body(client_for(cast.agency).get(reverse("portal:referrals")))
    assert victim_referral.reference not in body
    assert client_for(cast.agency).get(reverse("portal:detail", args=[victim_referral.reference])).status_code == 404


# --- 10. The case team opens the case subject's person page ----------------------------------------------


def test_a_clinician_added_to_a_case_team_opens_the_subjects_person_page(cast, world, client_for):
    team_add(case=world.case, user=cast.other_clinician, role="clinician", by=cast.clinical_lead)
    response = client_for(cast.other_clinician).get(reverse("people:detail", args=[world.subject.reference]))
    assert response.status_code == 200
