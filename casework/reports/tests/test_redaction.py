"""Redaction before issue: a sealed victim's details leave the report in every form they are
written in, an unsealed person's stay, a section marked as not for a side is left out for that side
only, and the record of what was removed never holds a value."""

from __future__ import annotations

import pytest
from django.utils import timezone

from casework.cases.tests.factories import make_case, ready_referral
from casework.people import services as people_services
from casework.people.models import OnlineIdentifier, PersonAddress, PersonCareTeam, PersonEmail, PersonPhone, Platform
from casework.people.tests.factories import create_person
from casework.reports.redaction import REDACTED, Redaction, redact_sections, redaction_preview, sealed_values

SEALED = {
    "address": "14 Larkspur Close\nLeeds",
    "postcode": "LS6 2QT",
    "number": "0161 496 0123",
    "email": "vee.hidden@example.org",
    "handle": "@vee_hides",
    "workplace": "Meadow Lane Pharmacy",
}


def _details(person, by, *, address, postcode, number, email, handle, workplace=""):
    PersonCareTeam.objects.get_or_create(
        person=person, user=by, defaults={"role": "clinician", "added_at": timezone.now(), "added_by": by}
    )
    people_services.detail_add(person=person, model=PersonAddress, by=by, address=address, postcode=postcode)
    people_services.detail_add(person=person, model=PersonPhone, by=by, number=number)
    people_services.detail_add(person=person, model=PersonEmail, by=by, address=email)
    people_services.detail_add(person=person, model=OnlineIdentifier, by=by, platform=Platform.INSTAGRAM, handle=handle)
    if workplace:
        type(person).objects.filter(pk=person.pk).update(workplace=workplace)
        person.refresh_from_db()


@pytest.fixture
def case_with_sealed_victim(cast):
    """A perpetrator case: the subject Sam (not sealed, with his own details) and the victim Vee
    (sealed, with an address, a telephone number, an email address, a handle and a workplace)."""
    sam = create_person(by=cast.coordinator, given_name="Sam", family_name="Open")
    vee = create_person(by=cast.coordinator, given_name="Vee", family_name="Hidden", is_sealed=True)
    _details(vee, cast.coordinator, **SEALED)
    _details(
        sam,
        cast.coordinator,
        address="9 Open Street",
        postcode="LS1 4AP",
        number="0113 496 0000",
        email="sam.open@example.org",
        handle="@sam_open",
    )
    referral = ready_referral(
        subject=sam, lead_clinician=cast.clinician, coordinator=cast.coordinator, victims=[(vee, "Vee H", "Ex-partner")]
    )
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referral=referral)
    return case, sam, vee


def _section(body, key="history", withheld_from=()):
    return {"key": key, "title": "History", "body": body, "withheld_from": list(withheld_from)}


EVERY_FORM = (
    "She lived at 14 Larkspur Close, Leeds (postcode ls62qt, also written LS6 2QT). "
    "He wrote to 14 Larkspur Close. "
    "He rang 0161 496 0123, 01614960123, +44 161 496 0123, +441614960123, 0044 (0) 161-496-0123 and (0161) 496 0123. "
    "He emailed VEE.HIDDEN@example.org and followed @vee_hides, then vee_hides again. "
    "He waited outside meadow lane pharmacy."
)


def test_every_form_of_a_sealed_persons_details_is_removed(case_with_sealed_victim):
    case, _, vee = case_with_sealed_victim
    [section], redactions = redact_sections([_section(EVERY_FORM)], case=case, recipient_side="court")
    body = section["body"].lower()
    for value in ("larkspur", "ls6", "2qt", "496", "0161", "vee.hidden", "vee_hides", "meadow lane"):
        assert value not in body, value
    assert body.count(REDACTED.lower()) == 14
    counts = {r.what: r.count for r in redactions}
    assert counts == {
        "address": 2,
        "postcode": 2,
        "telephone number": 6,
        "email address": 1,
        "online identifier": 2,
        "workplace": 1,
    }
    assert {r.person for r in redactions} == {vee.reference} and {r.section for r in redactions} == {"history"}


def test_an_unsealed_persons_details_are_left_as_written(case_with_sealed_victim):
    case, _, _ = case_with_sealed_victim
    text = "Sam lives at 9 Open Street, LS1 4AP; telephone 0113 496 0000; sam.open@example.org; @sam_open."
    [section], redactions = redact_sections([_section(text)], case=case, recipient_side="police")
    assert section["body"] == text
    assert redactions == []


def test_the_subject_when_sealed_is_redacted_too(cast, case_with_sealed_victim):
    case, sam, _ = case_with_sealed_victim
    people_services.person_seal(person=sam, by=cast.coordinator, reason="He asked for his address to be kept back")
    case.subject.refresh_from_db()
    [section], redactions = redact_sections([_section("He lives at 9 Open Street.")], case=case, recipient_side="court")
    assert section["body"] == f"He lives at {REDACTED}."
    assert redactions == [Redaction(what="address", person=sam.reference, section="history", count=1)]


def test_a_withheld_section_is_removed_only_for_that_side(case_with_sealed_victim):
    case, _, _ = case_with_sealed_victim
    sections = [
        _section("Opinion text", key="opinion"),
        _section("For the court only", key="risk", withheld_from=["police"]),
    ]
    for_police, removed = redact_sections(sections, case=case, recipient_side="police")
    assert [s["key"] for s in for_police] == ["opinion"]
    assert removed == [Redaction(what="section", person="", section="risk", count=1)]
    for_court, removed = redact_sections(sections, case=case, recipient_side="court")
    assert [s["key"] for s in for_court] == ["opinion", "risk"] and removed == []
    assert sections[1]["body"] == "For the court only"  # the input is not changed


def test_the_record_of_what_was_removed_never_holds_a_value(case_with_sealed_victim):
    case, _, _ = case_with_sealed_victim
    preview = redaction_preview([_section(EVERY_FORM)], case=case, recipient_side="defence")
    kept = repr([r.as_json() for r in preview["redactions"]]).lower()
    for value in ("larkspur", "ls6", "2qt", "496", "0161", "vee.hidden", "vee_hides", "meadow"):
        assert value not in kept, value
    assert preview["values_removed"] == 14 and preview["withheld"] == []


def test_sealed_values_lists_only_the_sealed_persons_details(case_with_sealed_victim):
    case, sam, vee = case_with_sealed_victim
    values = sealed_values(case)
    assert {ref for _, ref, _ in values} == {vee.reference}
    assert ("telephone number", vee.reference, "01614960123") in values
    assert ("telephone number", vee.reference, "0161 496 0123") in values
    assert ("workplace", vee.reference, "Meadow Lane Pharmacy") in values
    assert not any("Open Street" in value for _, _, value in values)
