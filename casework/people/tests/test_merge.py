"""Merging two person records (clinical leads only) and undoing it exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.people import services
from casework.people.models import (
    CareTeamRole,
    OnlineIdentifier,
    Person,
    PersonAddress,
    PersonCareTeam,
    PersonEmail,
    PersonMatchKey,
    PersonMerge,
    PersonName,
    PersonPhone,
    ReferralPersonLink,
)
from casework.people.tests.factories import create_person

pytestmark = pytest.mark.django_db

TABLES = (
    Person,
    PersonName,
    PersonAddress,
    PersonPhone,
    PersonEmail,
    OnlineIdentifier,
    PersonCareTeam,
    ReferralPersonLink,
)


def _rows() -> dict:
    """Every row of every person table, with encrypted fields decrypted."""
    state = {}
    for model in TABLES:
        names = [f.attname for f in model._meta.concrete_fields]
        state[model.__name__] = [tuple(getattr(obj, name) for name in names) for obj in model.objects.order_by("pk")]
    state["match_keys"] = sorted(PersonMatchKey.objects.values_list("person_id", "key_hash", "from_contact_details"))
    return state


@pytest.fixture
def pair(cast, world):
    """``world.victim`` (sealed, care team: clinician) and an older duplicate record of her with
    its own details, a referral link and an overlapping care team."""
    from casework.referrals.tests.factories import ReferralFactory

    older = create_person(
        by=cast.coordinator,
        given_name="Vera",
        family_name="Smith",
        date_of_birth=dt.date(1986, 7, 21),
        pnc_id="01/0171310W",
        prison_number="A1234BC",
        gender="Woman",
    )
    services.detail_add(
        person=older, model=PersonName, by=cast.coordinator, kind="previous", given_name="Vera", family_name="Jones"
    )
    services.detail_add(
        person=older,
        model=PersonAddress,
        by=cast.coordinator,
        address="1 Old Road",
        postcode="M1 1AE",
        lived_to=dt.date(2020, 1, 1),
    )
    services.detail_add(person=older, model=PersonPhone, by=cast.coordinator, number="0161 496 0111")
    services.detail_add(person=older, model=PersonEmail, by=cast.coordinator, address="old@example.org")
    services.detail_add(person=older, model=OnlineIdentifier, by=cast.coordinator, platform="x", handle="@oldvera")
    services.care_team_add(person=older, user=cast.clinician, role=CareTeamRole.LEAD_CLINICIAN, by=cast.clinical_lead)
    services.care_team_add(person=older, user=cast.other_clinician, role=CareTeamRole.CLINICIAN, by=cast.clinical_lead)
    referral = ReferralFactory(referring_organisation=cast.organisation)
    services.referral_link(referral=referral, named_party=None, person=older, by=cast.coordinator)
    return world.victim, older


def test_merge_then_unmerge_gives_identical_rows(cast, pair):
    target, source = pair
    before = _rows()
    merge = services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same woman")
    assert _rows() != before
    services.person_unmerge(merge=merge, by=cast.clinical_lead, reason="Not the same after all")
    assert _rows() == before


def test_what_a_merge_moves_and_fills(cast, pair):
    target, source = pair
    services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same woman")
    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into == target
    assert target.addresses.count() == 2 and target.phones.count() == 2 and target.emails.count() == 2
    assert target.online_identifiers.count() == 2 and target.referral_links.count() == 2
    assert {n.family_name for n in target.other_names.all()} == {"Jones", "Smith"}  # the source's name is an alias
    assert target.pnc_id == "01/0171310W" and target.prison_number == "A1234BC" and target.gender == "Woman"
    assert target.nhs_number == "6541003238"  # the target keeps its own values
    # The clinician on both teams is on the merged team once; the other clinician joined.
    assert set(target.care_team.values_list("user_id", flat=True)) == {cast.clinician.pk, cast.other_clinician.pk}
    assert not PersonMatchKey.objects.filter(person=source).exists()


def test_merging_a_sealed_record_seals_the_survivor_and_unmerge_restores_it(cast, world, pair):
    victim, older = pair
    merge = services.person_merge(source=victim, target=older, by=cast.clinical_lead, reason="Same woman")
    older.refresh_from_db()
    assert older.is_sealed
    services.person_unmerge(merge=merge, by=cast.clinical_lead, reason="Different women")
    older.refresh_from_db()
    assert not older.is_sealed


def test_the_merge_snapshot_is_encrypted(cast, pair):
    from django.db import connection

    target, source = pair
    merge = services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same woman")
    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot FROM people_personmerge WHERE id = %s", [merge.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("gAAAAA")
    assert "0171310" not in raw and "moved" not in raw
    assert "moved" in merge.snapshot_data()


def test_a_merge_and_its_undoing_are_audited_on_both_records(cast, pair):
    target, source = pair
    merge = services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same woman")
    services.person_unmerge(merge=merge, by=cast.clinical_lead, reason="Not the same")
    for person, key in ((target, "merged_from"), (source, "merged_into")):
        events = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(person.pk), changes__has_key=key)
        assert events.count() == 2
        assert {e.reason for e in events} == {"Same woman", "Not the same"}
    assert "0171310" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_changes_made_after_the_merge_stay_with_the_survivor(cast, pair):
    target, source = pair
    merge = services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same woman")
    later = services.detail_add(person=target, model=PersonPhone, by=cast.clinician, number="020 7946 0444")
    services.person_update(person=target, by=cast.clinician, gender="Female")  # was filled by the merge
    services.person_unmerge(merge=merge, by=cast.clinical_lead, reason="Not the same")
    target.refresh_from_db()
    assert later in target.phones.all()
    assert target.gender == "Female"


def test_a_later_merge_must_be_undone_first(cast, pair):
    target, source = pair
    third = create_person(by=cast.coordinator, given_name="Third")
    first = services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same")
    services.person_merge(source=target, target=third, by=cast.clinical_lead, reason="Same again")
    with pytest.raises(ValidationError):
        services.person_unmerge(merge=first, by=cast.clinical_lead, reason="Undo")


def test_a_merge_cannot_be_undone_twice(cast, pair):
    target, source = pair
    merge = services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same")
    services.person_unmerge(merge=merge, by=cast.clinical_lead, reason="Undo")
    with pytest.raises(ValidationError):
        services.person_unmerge(merge=merge, by=cast.clinical_lead, reason="Undo again")


def test_only_a_clinical_lead_may_merge(cast, pair):
    from django.core.exceptions import PermissionDenied

    target, source = pair
    for user in (cast.coordinator, cast.clinician):
        with pytest.raises(PermissionDenied):
            services.person_merge(source=source, target=target, by=user, reason="Same")


# --- The pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("clinical_lead", 200),
        ("coordinator", 403),
        ("clinician", 403),
        ("other_clinician", 404),
        ("finance", 404),
        ("agency", 404),
    ],
)
def test_who_may_open_the_merge_page(cast, world, client_for, role, status):
    url = reverse("people:merge", args=[world.subject.reference])
    assert client_for(cast.by_name(role)).get(url).status_code == status


def test_merging_through_the_pages_asks_for_confirmation_first(cast, pair, client_for):
    target, source = pair
    client = client_for(cast.clinical_lead)
    url = reverse("people:merge", args=[target.reference])
    check = client.post(url, {"other": source.reference.lower(), "reason": "Same date of birth and PNC"})
    assert check.status_code == 200 and 'data-testid="merge-comparison"' in check.content.decode()
    assert not PersonMerge.objects.exists()
    done = client.post(url, {"other": source.reference, "reason": "Same date of birth and PNC", "confirm": "True"})
    assert done.status_code == 302
    assert PersonMerge.objects.get().source == source


def test_the_merge_page_refuses_bad_input(cast, world, client_for):
    client = client_for(cast.clinical_lead)
    url = reverse("people:merge", args=[world.subject.reference])
    response = client.post(url, {"other": world.subject.reference, "reason": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the reference of a different record" in html and "Enter why these records are the same person" in html
    unknown = client.post(url, {"other": "PER-2026-99999", "reason": "x"})
    assert "Enter the reference of a person in the index" in unknown.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("clinical_lead", 200),
        ("coordinator", 403),
        ("clinician", 403),
        ("finance", 403),
        ("agency", 403),
    ],
)
def test_who_may_open_the_unmerge_page(cast, pair, client_for, role, status):
    target, source = pair
    merge = services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same")
    assert client_for(cast.by_name(role)).get(reverse("people:unmerge", args=[merge.pk])).status_code == status


def test_unmerging_through_the_page(cast, pair, client_for):
    target, source = pair
    merge = services.person_merge(source=source, target=target, by=cast.clinical_lead, reason="Same")
    client = client_for(cast.clinical_lead)
    url = reverse("people:unmerge", args=[merge.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Different people"}).status_code == 302
    source.refresh_from_db()
    assert source.merged_into is None
    assert 'data-testid="already-undone"' in client.get(url).content.decode()


def test_an_unknown_merge_is_404(cast, client_for):
    assert client_for(cast.clinical_lead).get(reverse("people:unmerge", args=[999])).status_code == 404
