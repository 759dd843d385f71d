"""A sealed person's addresses, numbers, emails, online identifiers and workplace reach only their
care team. Canary values (tests/conftest.py) are looked for in every response a user outside the
team can get: the person page, the list and search, forms, matching candidates and their reasons,
the merge comparison, the data-quality command and the audit log."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from casework.audit.models import Action, Alert, AuditEvent
from casework.people import candidates
from casework.people.models import PersonAddress
from casework.people.tests.conftest import CANARIES, canaries_in
from casework.referrals.choices import PartyRole
from casework.referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

OUTSIDERS = ["coordinator", "clinical_lead"]  # they see the person, but are not on the care team


def _detail(person) -> str:
    return reverse("people:detail", args=[person.reference])


def test_the_care_team_sees_the_details(cast, world, client_for):
    html = client_for(cast.clinician).get(_detail(world.victim)).content.decode()
    assert set(canaries_in(html)) >= {"address", "postcode", "phone_national", "email", "handle", "workplace"}
    assert 'data-testid="details-withheld"' not in html


@pytest.mark.parametrize("role", OUTSIDERS)
def test_the_person_page_says_details_withheld_and_shows_none(cast, world, client_for, role):
    response = client_for(cast.by_name(role)).get(_detail(world.victim))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Details withheld" in html
    assert canaries_in(html) == []


@pytest.mark.parametrize("role", OUTSIDERS)
def test_the_list_and_a_name_search_show_none(cast, world, client_for, role):
    client = client_for(cast.by_name(role))
    for params in ({}, {"q": "Victim"}, {"q": "Vera"}):
        html = client.get(reverse("people:list"), params).content.decode()
        assert world.victim.reference in html
        assert canaries_in(html) == []


@pytest.mark.parametrize("typed", [CANARIES["phone"], CANARIES["email"], CANARIES["postcode"]])
def test_searching_by_a_sealed_contact_detail_finds_no_one_outside_the_team(cast, world, client_for, typed):
    """Finding the person would confirm that the number or address is the victim's."""
    html = client_for(cast.coordinator).get(reverse("people:list"), {"q": typed}).content.decode()
    assert world.victim.reference not in html
    assert "No one matches your search" in html


@pytest.mark.parametrize("typed", [CANARIES["phone"], CANARIES["email"], CANARIES["postcode"]])
def test_the_care_team_finds_the_person_by_contact_detail(cast, world, client_for, typed):
    html = client_for(cast.clinician).get(reverse("people:list"), {"q": typed}).content.decode()
    assert world.victim.reference in html


def test_the_edit_form_leaves_out_the_workplace_for_outsiders(cast, world, client_for):
    html = client_for(cast.coordinator).get(reverse("people:edit", args=[world.victim.reference])).content.decode()
    assert 'name="workplace"' not in html
    assert canaries_in(html) == []
    team_html = client_for(cast.clinician).get(reverse("people:edit", args=[world.victim.reference])).content.decode()
    assert 'name="workplace"' in team_html and CANARIES["workplace"] in team_html


def test_saving_the_edit_form_as_an_outsider_keeps_the_workplace(cast, world, client_for):
    data = {
        "given_name": "Vera",
        "family_name": "Victim",
        "date_of_birth_day": "21",
        "date_of_birth_month": "7",
        "date_of_birth_year": "1986",
        "nhs_number": "6541003238",
        "workplace": "Overwritten",
    }
    assert (
        client_for(cast.coordinator).post(reverse("people:edit", args=[world.victim.reference]), data).status_code
        == 302
    )
    world.victim.refresh_from_db()
    assert world.victim.workplace == CANARIES["workplace"]


@pytest.mark.parametrize("kind", ["addresses", "phones", "emails", "online"])
@pytest.mark.parametrize("role", OUTSIDERS)
def test_contact_detail_forms_are_refused_to_outsiders(cast, world, client_for, kind, role):
    client = client_for(cast.by_name(role))
    detail = {
        "addresses": world.victim.addresses,
        "phones": world.victim.phones,
        "emails": world.victim.emails,
        "online": world.victim.online_identifiers,
    }[kind].get()
    for url in (
        reverse("people:detail_add", args=[world.victim.reference, kind]),
        reverse("people:detail_edit", args=[world.victim.reference, kind, detail.pk]),
        reverse("people:detail_remove", args=[world.victim.reference, kind, detail.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert canaries_in(response.content.decode()) == []
        assert client.post(url, {"address": "x", "number": "020 7946 0000"}).status_code == 403


def test_the_care_team_may_change_contact_details(cast, world, client_for):
    address = world.victim.addresses.get()
    url = reverse("people:detail_edit", args=[world.victim.reference, "addresses", address.pk])
    html = client_for(cast.clinician).get(url).content.decode()
    assert CANARIES["address"] in html


def _second_referral_naming_the_victim(cast):
    details = f"Lives at {CANARIES['address']}, {CANARIES['postcode']}\nMobile {CANARIES['phone']}\n{CANARIES['email']}"
    return ReferralFactory(
        referring_organisation=cast.organisation,
        parties=[{"role": PartyRole.VICTIM, "name": "Vera Victim", "details": details}],
    )


def test_matching_reasons_for_outsiders_never_use_sealed_details(cast, world, client_for):
    referral = _second_referral_naming_the_victim(cast)
    party = referral.named_parties.get()
    url = reverse("people:link_party", args=[referral.reference, party.pk])
    html = client_for(cast.coordinator).get(url).content.decode()
    # The referral's own text is shown once, in "What the referral says"; nothing else may echo it.
    assert world.victim.reference in html
    table = html[html.index('data-testid="candidates"') :]
    assert canaries_in(table) == []
    for word in ("phone", "email", "address", "postcode"):
        assert f"same {word}" not in table
    assert "Contact details not compared: this record is sealed." in table


def test_sealed_details_do_not_move_the_score_for_outsiders(cast, world):
    referral = _second_referral_naming_the_victim(cast)
    record = candidates.referral_record(referral, referral.named_parties.get())
    outsider = {c.person.pk: c for c in candidates.candidates_for(cast.coordinator, record)}
    blank = candidates.referral_record(referral, referral.named_parties.get())
    blank.address = blank.postcode = blank.phone = blank.email = ""
    without_contact = {c.person.pk: c for c in candidates.candidates_for(cast.coordinator, blank)}
    assert outsider[world.victim.pk].score == without_contact[world.victim.pk].score
    assert outsider[world.victim.pk].details_withheld


def test_the_care_team_is_matched_on_contact_details_too(cast, world):
    referral = _second_referral_naming_the_victim(cast)
    record = candidates.referral_record(referral, referral.named_parties.get())
    found = {c.person.pk: c for c in candidates.candidates_for(cast.clinician, record)}
    assert "same phone number" in found[world.victim.pk].reasons
    assert not found[world.victim.pk].details_withheld


def test_a_sealed_person_found_only_through_contact_details_is_not_offered(cast, world):
    """A referral that shares only the victim's phone number and postcode with her (different name,
    no date of birth) must not bring her up for someone outside the team."""
    referral = ReferralFactory(
        referring_organisation=cast.organisation,
        parties=[
            {
                "role": PartyRole.OTHER,
                "name": "Zed Unrelated",
                "details": f"{CANARIES['postcode']}\n{CANARIES['phone']}\n{CANARIES['email']}",
            }
        ],
    )
    record = candidates.referral_record(referral, referral.named_parties.get())
    assert world.victim.pk not in {c.person.pk for c in candidates.candidates_for(cast.coordinator, record)}


def test_the_merge_comparison_shows_counts_not_details(cast, world, client_for):
    url = reverse("people:merge", args=[world.loner.reference])
    response = client_for(cast.clinical_lead).post(url, {"other": world.victim.reference, "reason": "Check"})
    html = response.content.decode()
    assert 'data-testid="merge-comparison"' in html
    assert canaries_in(html) == []


def test_the_data_quality_command_prints_no_contact_details(cast, world):
    from casework.people.tests.factories import create_person

    create_person(
        by=cast.coordinator,
        given_name="Vera",
        family_name="Victim",
        date_of_birth=dt.date(1986, 7, 21),
        nhs_number="9990000034",
    )
    out = StringIO()
    call_command("find_duplicates", stdout=out)
    assert canaries_in(out.getvalue()) == []
    assert "Vera" not in out.getvalue()


def test_the_audit_log_holds_no_sealed_values(cast, world, client_for):
    client_for(cast.clinician).get(_detail(world.victim))
    client_for(cast.coordinator).get(reverse("people:list"), {"q": CANARIES["phone"]})
    for event in AuditEvent.objects.all():
        text = f"{event.object_label} {event.reason} {event.changes}"
        assert canaries_in(text) == [], (event.action, event.changes)


def test_break_glass_opens_the_details_audited_and_alerted(cast, world, client_for):
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role

    other_lead = UserFactory(role=Role.CLINICAL_LEAD)
    client = client_for(cast.clinical_lead)
    url = reverse("people:break_glass", args=[world.victim.reference])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Police report she is at immediate risk tonight"})
    assert response.status_code == 302
    html = client.get(_detail(world.victim)).content.decode()
    assert CANARIES["address"] in html and 'data-testid="break-glass-banner"' in html
    assert AuditEvent.objects.filter(action=Action.BREAK_GLASS, object_id=str(world.victim.pk)).exists()
    assert Alert.objects.filter(
        object_type="people.person", object_id=str(world.victim.pk), recipient=other_lead
    ).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 403),
        ("clinician", 302),
        ("other_clinician", 404),
        ("finance", 404),
        ("agency", 404),
    ],
)
def test_who_may_use_break_glass_on_a_sealed_person(cast, world, client_for, role, status):
    """Coordinators may not (not clinical staff); the care team is sent straight to the page."""
    assert (
        client_for(cast.by_name(role)).get(reverse("people:break_glass", args=[world.victim.reference])).status_code
        == status
    )


def test_break_glass_is_not_offered_on_an_unsealed_person(cast, world, client_for):
    response = client_for(cast.clinical_lead).get(reverse("people:break_glass", args=[world.subject.reference]))
    assert response.status_code == 302  # nothing to open: back to the person


def test_the_raw_rows_hold_no_canary(world):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT address, postcode FROM people_personaddress WHERE person_id = %s", [world.victim.pk])
        row = cursor.fetchone()
    assert canaries_in(" ".join(row)) == []
    assert PersonAddress.objects.get(person=world.victim).address == CANARIES["address"]
