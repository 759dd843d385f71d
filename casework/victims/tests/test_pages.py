"""The victim pathway's pages: the team agrees the safety plan (each change a new version, with
what changed), writes to the person (a message the plan forbids is refused on the form, by its
field, keeping what was typed), and reads each message's status; a perpetrator case has no such
pages; other roles are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases.tests.factories import make_case
from casework.victims.models import SafetyPlanVersion, VictimMessage
from casework.victims.tests.helpers import not_today, plan, victim_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    return victim_case(cast)


def _plan_post(**overrides):
    data = {
        "channels": ["letter", "sms"],
        "preferred_channel": "sms",
        "contact_days": ["0", "1", "2", "3", "4"],
        "contact_from": "18:00",
        "contact_until": "20:30",
        "may_name_clinic": "no",
        "contact_notes": "Texts only after she is home",
        "diary_advice_given": "yes",
        "evidence_advice_given": "yes",
        "tracking_checked": "yes",
        "accounts_checked": "no",
        "location_sharing_checked": "yes",
        "police_officer": "DC Sam Jones, Northshire Police",
        "advocate": "Ana Advocate, Paladin",
        "marac_referred": "no",
        "agreed_on_day": "1",
        "agreed_on_month": "12",
        "agreed_on_year": "2026",
        "review_on_day": "1",
        "review_on_month": "3",
        "review_on_year": "2027",
        "notes": "Go-bag kept at a friend's",
    }
    data.update(overrides)
    return data


def test_the_team_agrees_the_plan_and_a_change_is_a_new_version_that_says_what_changed(cast, client_for, case):
    client = client_for(cast.clinician)
    ref = case.reference
    assert "No safety plan has been agreed" in client.get(reverse("victims:overview", args=[ref])).content.decode()
    response = client.post(reverse("victims:plan_agree", args=[ref]), _plan_post())
    assert response.status_code == 302
    first = SafetyPlanVersion.objects.get(case=case)
    assert first.channels == ["letter", "sms"] and first.contact_days == ["0", "1", "2", "3", "4"]
    assert first.may_name_clinic is False and first.tracking_checked is True and first.accounts_checked is False
    # The form for the next version starts from the plan in force.
    form = client.get(reverse("victims:plan_agree", args=[ref])).content.decode()
    assert 'value="18:00"' in form and "DC Sam Jones" in form
    client.post(reverse("victims:plan_agree", args=[ref]), _plan_post(contact_until="21:00", accounts_checked="yes"))
    second = SafetyPlanVersion.objects.get(case=case, number=2)
    page = client.get(reverse("victims:plan_version", args=[ref, 2])).content.decode()
    assert "Changed since version 1: safe until, shared accounts and passwords reviewed." in page
    overview = client.get(reverse("victims:overview", args=[ref])).content.decode()
    assert "Safety plan, version 2" in overview and "18:00 to 21:00" in overview and "Version 1" in overview
    # Recorded on the case's trail, with the version's values.
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), action="create")
    assert any(f"safety plan version {second.pk}" in (event.changes or {}) for event in events)


def test_a_plan_the_rules_refuse_says_why_by_field_and_keeps_what_was_typed(cast, client_for, case):
    client = client_for(cast.clinician)
    response = client.post(
        reverse("victims:plan_agree", args=[case.reference]),
        _plan_post(contact_from="20:00", contact_until="18:00", preferred_channel="email"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The preferred way must be one of the ways they agreed" in page
    assert 'value="20:00"' in page and "DC Sam Jones" in page
    response = client.post(reverse("victims:plan_agree", args=[case.reference]), _plan_post(contact_until="18:00"))
    assert "must be after the time it starts" in response.content.decode()
    assert not SafetyPlanVersion.objects.exists()


def test_a_message_the_plan_forbids_is_refused_on_the_form_keeping_the_text(cast, client_for, case):
    plan(case, cast.clinician, channels=["sms"], contact_days=not_today())
    client = client_for(cast.clinician)
    url = reverse("victims:message_new", args=[case.reference])
    form = client.get(url).content.decode()
    assert "Safety plan version 1" in form and "Next agreed time" in form
    response = client.post(url, {"channel": "email", "text": "See you on Tuesday"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "They have not agreed to be contacted by email" in page and "See you on Tuesday" in page
    response = client.post(url, {"channel": "sms", "text": "See you on Tuesday"})
    assert "It is not a time they agreed" in response.content.decode()
    assert not VictimMessage.objects.exists()


def test_a_message_allowed_now_is_queued_and_its_page_shows_its_status(cast, client_for, case, settings):
    plan(case, cast.clinician)
    client = client_for(cast.clinician)
    settings.NOTIFY_API_KEY = ""  # the in-process stand-in answers
    response = client.post(
        reverse("victims:message_new", args=[case.reference]), {"channel": "letter", "text": "See you on Tuesday"}
    )
    assert response.status_code == 302
    message = VictimMessage.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "See you on Tuesday" in page and "under safety plan version 1" in page
    assert message.get_status_display() in page


def test_a_perpetrator_case_has_no_victim_pages(cast, client_for):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    assert client_for(cast.clinician).get(reverse("victims:overview", args=[case.reference])).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_clinician", 404), ("coordinator", 403), ("finance", 404), ("researcher", 404), ("agency", 404)],
)
def test_others_are_refused(cast, client_for, case, role, status):
    plan(case, cast.clinician)
    client = client_for(cast.by_name(role))
    for name in ("victims:overview", "victims:plan_agree", "victims:message_new"):
        assert client.get(reverse(name, args=[case.reference])).status_code == status, name
    assert (
        client.post(
            reverse("victims:message_new", args=[case.reference]), {"channel": "letter", "text": "x"}
        ).status_code
        == status
    )
    assert not VictimMessage.objects.exists()


def test_the_case_page_links_to_the_pathway(cast, client_for, case):
    page = client_for(cast.clinician).get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert reverse("victims:overview", args=[case.reference]) in page


def test_the_overview_keeps_a_fixed_number_of_queries_as_versions_and_messages_grow(cast, client_for, case):
    from casework.core.testing import assert_page_queries_flat

    numbers = iter(range(1, 100))
    version = plan(case, cast.clinician, number=next(numbers))

    def grow():
        latest = plan(case, cast.clinician, number=next(numbers))
        for n in range(3):
            VictimMessage.objects.create(
                case=case,
                channel="letter",
                text="x",
                plan=latest,
                reference=f"grow-{latest.number}-{n}",
                created_by=cast.clinician,
            )

    VictimMessage.objects.create(
        case=case, channel="letter", text="x", plan=version, reference="first", created_by=cast.clinician
    )
    assert_page_queries_flat(client_for(cast.clinician), reverse("victims:overview", args=[case.reference]), grow=grow)
