"""The question pages: each validates with a message per field in the NHS error summary, keeps
what was typed, saves the draft and goes on to the next page (or back to check your answers)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from casework.audit.models import Action, AuditEvent
from casework.portal.forms import CHECK, STEPS
from casework.portal.tests.portal_support import answers, date_data, in_days, step_url
from casework.referrals.choices import Setting, Status
from casework.referrals.models import Referral
from casework.referrals.tests.factories import DraftReferralFactory, NamedPartyFactory


@pytest.fixture
def draft(cast):
    """A fresh draft, as "Start now" makes it."""
    return DraftReferralFactory(
        created_by=cast.agency,
        referrer_user=cast.agency,
        referring_organisation=cast.organisation,
        subject_given_name="",
        subject_family_name="",
        subject_date_of_birth=None,
        behaviour_summary="",
        behaviour_duration="",
        stalking_significant=None,
        legal_status="",
        offences=[],
        assessment_setting="",
        subject_role="",
        services=["stalker_assessment", "report_sentencing"],
        referrer_name=cast.agency.full_name,
        referrer_email=cast.agency.email,
        referrer_job_title="",
        referrer_phone="",
    )


@pytest.fixture
def agency_client(cast, client_for):
    return client_for(cast.agency)


def error_summary(response) -> list[tuple[str, str]]:
    """(href, message) of each link in the NHS error summary."""
    html = response.content.decode()
    if "nhsuk-error-summary" not in html:
        return []
    summary = html[html.index("nhsuk-error-summary") :]
    summary = summary[: summary.index("</ul>")]
    return [
        (href, re.sub(r"\s+", " ", text).strip())
        for href, text in re.findall(r'<a href="([^"]+)"\s*>(.*?)</a>', summary, re.S)
    ]


def messages_of(response) -> list[str]:
    return [message for _, message in error_summary(response)]


def post_step(client, draft, slug, data, returning=False):
    return client.post(step_url(draft, slug, returning=returning), data)


# --- Every page ----------------------------------------------------------------------------------


def test_start_makes_a_draft_prefilled_with_the_referrers_details(cast, agency_client):
    cast.agency.job_title = "Detective Sergeant"
    cast.agency.phone = "020 7946 0123"
    cast.agency.save()
    response = agency_client.post(reverse("portal:start"))
    draft = Referral.objects.get(created_by=cast.agency)
    assert response["Location"] == step_url(draft, "services")
    assert draft.status == Status.DRAFT and draft.reference == ""
    assert draft.referring_organisation == cast.organisation
    page = agency_client.get(step_url(draft, "contact")).content.decode()
    for value in (cast.agency.full_name, "Detective Sergeant", cast.agency.email, "020 7946 0123"):
        assert value in page
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="referrals.referral", object_id=str(draft.pk)
    ).exists()


def test_every_page_shows_the_caption_a_back_link_and_the_question_count(draft, agency_client):
    for number, step in enumerate(STEPS, start=1):
        html = agency_client.get(step_url(draft, step.slug)).content.decode()
        assert "Refer a case" in html, step.slug
        assert "nhsuk-back-link" in html, step.slug
        assert f"Question {number} of {len(STEPS)}" in html, step.slug


def test_back_links_go_to_the_previous_page_or_to_check_answers(draft, agency_client):
    first = agency_client.get(step_url(draft, "services")).content.decode()
    assert f'href="{reverse("portal:referrals")}"' in first
    legal = agency_client.get(step_url(draft, "legal")).content.decode()
    assert f'href="{step_url(draft, "behaviour")}"' in legal
    changing = agency_client.get(step_url(draft, "legal", returning=True)).content.decode()
    assert f'href="{reverse("portal:check", kwargs={"draft_id": draft.pk})}"' in changing


@pytest.mark.parametrize("slug", [s for s in answers(1)])
def test_each_page_saves_and_goes_on_to_the_next(slug, cast, draft, agency_client):
    data = answers(cast.organisation.pk)[slug]
    response = post_step(agency_client, draft, slug, data)
    index = [s.slug for s in STEPS].index(slug)
    following = STEPS[index + 1].slug if index + 1 < len(STEPS) else CHECK
    assert response.status_code == 302, messages_of(response)
    assert response["Location"] == step_url(draft, following)
    draft.refresh_from_db()
    assert draft.portal_step == following
    # What was saved is shown again when the page is reopened.
    html = agency_client.get(step_url(draft, slug)).content.decode()
    for value in data.values():
        for single in value if isinstance(value, list) else [value]:
            if single and slug != "funding":
                shown = escape(single.upper() if single == "a1234bc" else single)
                assert shown in html, (slug, single)


def test_saving_a_page_is_audited_with_the_changed_fields(cast, draft, agency_client):
    post_step(agency_client, draft, "behaviour", answers(cast.organisation.pk)["behaviour"])
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(draft.pk)).latest("sequence")
    assert set(event.changes) >= {"behaviour_summary", "behaviour_duration", "stalking_significant"}
    assert event.object_label == f"draft referral {draft.pk}"


def test_changing_the_services_is_audited(cast, draft, agency_client):
    post_step(agency_client, draft, "services", {"services": ["consultation"]})
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(draft.pk)).latest("sequence")
    assert event.changes["services"] == {"old": ["report_sentencing", "stalker_assessment"], "new": ["consultation"]}


def test_opening_a_page_is_audited_as_a_view(draft, agency_client):
    agency_client.get(step_url(draft, "subject"))
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(draft.pk)).exists()


def test_a_page_reached_from_check_answers_returns_there(cast, draft, agency_client):
    response = post_step(agency_client, draft, "behaviour", answers(cast.organisation.pk)["behaviour"], returning=True)
    assert response["Location"] == reverse("portal:check", kwargs={"draft_id": draft.pk})
    draft.refresh_from_db()
    # Changing an answer does not count later pages as answered.
    assert draft.portal_step == "legal"


def test_going_back_does_not_lose_how_far_the_referrer_got(cast, draft, agency_client):
    draft.portal_step = "funding"
    draft.save()
    post_step(agency_client, draft, "services", answers(cast.organisation.pk)["services"])
    draft.refresh_from_db()
    assert draft.portal_step == "funding"


# --- Services ------------------------------------------------------------------------------------


def test_services_needs_at_least_one(draft, agency_client):
    response = post_step(agency_client, draft, "services", {})
    assert response.status_code == 400
    assert error_summary(response) == [("#id_services", "Select at least one service you are asking for")]
    assert "Error: There is a problem" not in response.content.decode()
    assert "<title>Error:" in response.content.decode()


def test_services_refuses_one_not_in_the_list(draft, agency_client):
    response = post_step(agency_client, draft, "services", {"services": ["hypnosis"]})
    assert messages_of(response) == ["Select services from the list"]


# --- The person referred -------------------------------------------------------------------------


def test_subject_page_has_a_message_per_missing_answer_and_keeps_what_was_typed(draft, agency_client):
    response = post_step(
        agency_client, draft, "subject", {"subject_given_name": "Keepme", **date_data("subject_date_of_birth", None)}
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        ("#id_subject_role", "Select whether you are referring the person who stalks or the person stalked"),
        ("#id_subject_family_name", "Enter their family name"),
    ]
    assert 'value="Keepme"' in response.content.decode()


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("1", "1", str(timezone.localdate().year + 1), "Date of birth must be today or in the past"),
        ("31", "2", "1980", "Date of birth must be a real date"),
        ("", "2", "1980", "Date of birth must include a day"),
        ("1", "1", "1850", "Date of birth must be 1 January 1900 or later"),
    ],
)
def test_subject_date_of_birth_must_be_a_real_past_date(day, month, year, message, cast, draft, agency_client):
    data = {
        **answers(cast.organisation.pk)["subject"],
        "subject_date_of_birth_day": day,
        "subject_date_of_birth_month": month,
        "subject_date_of_birth_year": year,
    }
    response = post_step(agency_client, draft, "subject", data)
    assert error_summary(response) == [("#id_subject_date_of_birth_day", message)]
    html = response.content.decode()
    assert f'value="{year}"' in html


def test_subject_date_of_birth_may_be_left_blank(cast, draft, agency_client):
    data = {**answers(cast.organisation.pk)["subject"], **date_data("subject_date_of_birth", None)}
    assert post_step(agency_client, draft, "subject", data).status_code == 302


def test_subject_role_must_fit_the_services_asked_for(cast, draft, agency_client):
    data = {**answers(cast.organisation.pk)["subject"], "subject_role": "victim"}
    response = post_step(agency_client, draft, "subject", data)
    assert messages_of(response) == [
        "You asked for assessment or treatment of the person who stalks, so select the person who stalks "
        "(or change the services you asked for)"
    ]
    draft.requested_services.all().delete()
    post_step(agency_client, draft, "services", {"services": ["victim_assessment"]})
    response = post_step(agency_client, draft, "subject", answers(cast.organisation.pk)["subject"])
    assert messages_of(response)[0].startswith("You asked for assessment or treatment of the person stalked")


# --- Other people involved -------------------------------------------------------------------------


def parties_url(draft, returning=False):
    url = reverse("portal:parties", kwargs={"draft_id": draft.pk})
    return f"{url}?return=check" if returning else url


def test_people_are_added_one_at_a_time_and_listed(draft, agency_client):
    url = parties_url(draft)
    response = agency_client.post(
        url, {"action": "add", "role": "victim", "name": "Vera Victim", "relationship_to_subject": "Former partner"}
    )
    assert response.status_code == 302 and response["Location"] == url
    agency_client.post(url, {"action": "add", "role": "family_member", "name": "Fred Family", "details": "Her father"})
    assert [p.name for p in draft.named_parties.all()] == ["Vera Victim", "Fred Family"]
    html = agency_client.get(url).content.decode()
    assert "Vera Victim" in html and "Fred Family" in html and "Add another person" in html
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(draft.pk)).latest("sequence")
    # The trail records that the people named changed, and their roles; never their names.
    assert [p["name"] for p in event.changes["named_parties"]["new"]] == ["[not recorded]", "[not recorded]"]
    assert [p["role"] for p in event.changes["named_parties"]["new"]] == ["victim", "family_member"]
    assert "Vera Victim" not in str(event.changes)


def test_adding_a_person_needs_their_name_and_part_and_keeps_what_was_typed(draft, agency_client):
    response = agency_client.post(parties_url(draft), {"action": "add", "relationship_to_subject": "Neighbour"})
    assert response.status_code == 400
    assert error_summary(response) == [
        ("#id_role", "Select their part in the case"),
        ("#id_name", "Enter their full name"),
    ]
    assert 'value="Neighbour"' in response.content.decode()
    assert draft.named_parties.count() == 0


def test_continuing_without_naming_anyone_moves_on(draft, agency_client):
    draft.portal_step = "parties"
    draft.save()
    response = agency_client.post(parties_url(draft), {"action": "continue"})
    assert response["Location"] == step_url(draft, "behaviour")
    draft.refresh_from_db()
    assert draft.portal_step == "behaviour"


def test_a_person_can_be_changed_and_removed(draft, agency_client):
    url = parties_url(draft)
    agency_client.post(url, {"action": "add", "role": "victim", "name": "Vera Victim"})
    agency_client.post(url, {"action": "add", "role": "colleague", "name": "Colin Colleague"})
    change = reverse("portal:party_change", kwargs={"draft_id": draft.pk, "index": 1})
    assert 'value="Vera Victim"' in agency_client.get(change).content.decode()
    response = agency_client.post(change, {"role": "victim", "name": ""})
    assert messages_of(response) == ["Enter their full name"]
    response = agency_client.post(change, {"role": "victim", "name": "Vera Renamed"})
    assert response["Location"] == url
    remove = reverse("portal:party_remove", kwargs={"draft_id": draft.pk, "index": 2})
    assert "Are you sure you want to remove Colin Colleague?" in agency_client.get(remove).content.decode()
    agency_client.post(remove)
    assert [p.name for p in draft.named_parties.all()] == ["Vera Renamed"]


def test_a_referral_names_at_most_twenty_people(draft, agency_client):
    NamedPartyFactory.create_batch(20, referral=draft)
    response = agency_client.post(parties_url(draft), {"action": "add", "role": "victim", "name": "One Toomany"})
    assert response.status_code == 400
    assert messages_of(response)[0].startswith("You can name up to 20 people")
    assert draft.named_parties.count() == 20


# --- The behaviour -------------------------------------------------------------------------------


def test_behaviour_needs_each_answer(draft, agency_client):
    response = post_step(agency_client, draft, "behaviour", {"behaviour_duration": "3 weeks"})
    assert error_summary(response) == [
        ("#id_behaviour_summary", "Describe the stalking, harassment or threat behaviour"),
        ("#id_stalking_significant", "Select yes if stalking, harassment or threat is a significant part of the case"),
    ]
    assert 'value="3 weeks"' in response.content.decode()


def test_behaviour_summary_has_a_length_limit(cast, draft, agency_client):
    data = {**answers(cast.organisation.pk)["behaviour"], "behaviour_summary": "x" * 5001}
    assert messages_of(post_step(agency_client, draft, "behaviour", data)) == [
        "Describe the behaviour in outline must be 5000 characters or fewer"
    ]


def test_behaviour_saves_the_yes_or_no_as_a_boolean(cast, draft, agency_client):
    post_step(
        agency_client, draft, "behaviour", {**answers(cast.organisation.pk)["behaviour"], "stalking_significant": "no"}
    )
    draft.refresh_from_db()
    assert draft.stalking_significant is False


# --- Legal position --------------------------------------------------------------------------------


def test_legal_position_is_needed(draft, agency_client):
    assert messages_of(post_step(agency_client, draft, "legal", {})) == ["Select their legal position"]


def test_charged_or_convicted_needs_the_offences(draft, agency_client):
    response = post_step(agency_client, draft, "legal", {"legal_status": "charged", "orders_in_force": ["spo"]})
    assert error_summary(response) == [("#id_offences", "Select the offences they are charged with or convicted of")]
    assert 'value="spo" checked' in response.content.decode()


def test_another_offence_needs_describing_and_is_dropped_when_unticked(draft, agency_client):
    response = post_step(agency_client, draft, "legal", {"legal_status": "convicted", "offences": ["other"]})
    assert error_summary(response) == [("#id_other_offences", "Enter the other offences")]
    post_step(
        agency_client,
        draft,
        "legal",
        {"legal_status": "convicted", "offences": ["other"], "other_offences": "Criminal damage"},
    )
    draft.refresh_from_db()
    assert draft.other_offences == "Criminal damage"
    post_step(
        agency_client,
        draft,
        "legal",
        {"legal_status": "convicted", "offences": ["pha_s2a"], "other_offences": "Criminal damage"},
    )
    draft.refresh_from_db()
    assert draft.offences == ["pha_s2a"] and draft.other_offences == ""


def test_a_problem_case_needs_no_offence(draft, agency_client):
    assert post_step(agency_client, draft, "legal", {"legal_status": "none"}).status_code == 302


# --- Where an assessment would happen -------------------------------------------------------------


def test_custody_needs_the_establishment_and_prison_number(draft, agency_client):
    response = post_step(agency_client, draft, "setting", {"assessment_setting": "custody"})
    assert error_summary(response) == [
        ("#id_custody_establishment", "Enter the name of the prison or establishment"),
        ("#id_prison_number", "Enter their prison number"),
    ]


def test_a_prison_number_must_look_like_one(draft, agency_client):
    response = post_step(
        agency_client,
        draft,
        "setting",
        {"assessment_setting": "custody", "custody_establishment": "HMP Test", "prison_number": "12345"},
    )
    assert messages_of(response) == ["Enter a prison number in the correct format, like A1234BC"]
    post_step(
        agency_client,
        draft,
        "setting",
        {"assessment_setting": "custody", "custody_establishment": "HMP Test", "prison_number": "a 1234 bc"},
    )
    draft.refresh_from_db()
    assert draft.prison_number == "A1234BC"


def test_a_mental_health_facility_needs_its_name(draft, agency_client):
    response = post_step(agency_client, draft, "setting", {"assessment_setting": "mental_health_facility"})
    assert error_summary(response) == [("#id_facility_name", "Enter the name of the mental health facility")]


def test_details_that_no_longer_apply_are_not_kept(draft, agency_client):
    post_step(
        agency_client,
        draft,
        "setting",
        {
            "assessment_setting": "community",
            "custody_establishment": "HMP Test",
            "prison_number": "A1234BC",
            "facility_name": "Ward 5",
        },
    )
    draft.refresh_from_db()
    assert draft.assessment_setting == Setting.COMMUNITY
    assert (draft.custody_establishment, draft.prison_number, draft.facility_name) == ("", "", "")


def test_the_setting_page_reveals_the_custody_questions_under_their_answer(draft, agency_client):
    html = agency_client.get(step_url(draft, "setting")).content.decode()
    assert 'data-aria-controls="conditional-id_assessment_setting"' in html
    assert html.index('id="conditional-id_assessment_setting"') < html.index('id="id_prison_number"')


# --- Key dates -------------------------------------------------------------------------------------


def test_a_report_needs_the_date_it_is_needed_by(draft, agency_client):
    response = post_step(
        agency_client, draft, "dates", {**date_data("next_hearing_on", None), **date_data("report_due_on", None)}
    )
    assert error_summary(response) == [("#id_report_due_on_day", "Enter the date the report is needed by")]


def test_without_a_report_every_date_is_optional(cast, draft, agency_client):
    post_step(agency_client, draft, "services", {"services": ["stalker_assessment"]})
    assert post_step(agency_client, draft, "dates", {}).status_code == 302


@pytest.mark.parametrize("field", ["next_hearing_on", "report_due_on", "parole_hearing_on"])
def test_key_dates_must_be_today_or_later(field, cast, draft, agency_client):
    data = {**answers(cast.organisation.pk)["dates"], **date_data(field, in_days(-1))}
    response = post_step(agency_client, draft, "dates", data)
    label = {
        "next_hearing_on": "Next court hearing",
        "report_due_on": "Report needed by",
        "parole_hearing_on": "Parole hearing",
    }[field]
    assert error_summary(response) == [(f"#id_{field}_day", f"{label} must be today or in the future")]
    today = {**data, **date_data(field, in_days(0))}
    if field == "next_hearing_on":  # the sentencing report is needed by the hearing
        today.update(date_data("report_due_on", in_days(0)))
    assert post_step(agency_client, draft, "dates", today).status_code == 302


def test_a_sentencing_report_is_needed_before_the_hearing(cast, draft, agency_client):
    data = {**date_data("next_hearing_on", in_days(10)), **date_data("report_due_on", in_days(20))}
    assert messages_of(post_step(agency_client, draft, "dates", data)) == [
        "The date the report is needed by must be on or before the next court hearing"
    ]


# --- Funding and contact ---------------------------------------------------------------------------


def test_funding_needs_the_commissioning_organisation(draft, agency_client):
    response = post_step(agency_client, draft, "funding", {"purchase_order": "PO-9"})
    assert error_summary(response) == [("#id_commissioner", "Select the organisation that will pay for the work")]
    assert 'value="PO-9"' in response.content.decode()
    response = post_step(agency_client, draft, "funding", {"commissioner": "999999"})
    assert messages_of(response) == ["Select an organisation from the list"]


def test_an_inactive_organisation_cannot_be_chosen_to_pay(cast, draft, agency_client):
    cast.other_organisation.is_active = False
    cast.other_organisation.save()
    response = post_step(agency_client, draft, "funding", {"commissioner": str(cast.other_organisation.pk)})
    assert messages_of(response) == ["Select an organisation from the list"]


def test_contact_details_are_checked(draft, agency_client):
    response = post_step(
        agency_client,
        draft,
        "contact",
        {"referrer_name": "", "referrer_job_title": "DC", "referrer_email": "not-an-email", "referrer_phone": "12"},
    )
    assert error_summary(response) == [
        ("#id_referrer_name", "Enter your full name"),
        ("#id_referrer_email", "Enter an email address in the correct format, like name@example.com"),
        ("#id_referrer_phone", "Enter a telephone number, like 020 7946 0000 or +44 113 496 0000"),
    ]
    assert 'value="not-an-email"' in response.content.decode()


def test_the_telephone_number_is_checked_by_the_one_identifiers_module(draft, agency_client):
    # Decided in issue 10: the portal used to take any 10 to 15 digits (07700 900 982, which is no
    # number libphonenumber knows, passed); it now checks numbers as the person record does.
    contact = {"referrer_name": "Dana Example", "referrer_job_title": "DC", "referrer_email": "dana@example.org"}
    response = post_step(agency_client, draft, "contact", {**contact, "referrer_phone": "07700 900 982"})
    assert error_summary(response) == [
        ("#id_referrer_phone", "Enter a telephone number, like 020 7946 0000 or +44 113 496 0000"),
    ]
    post_step(agency_client, draft, "contact", {**contact, "referrer_phone": "+44 (0)20 7946 0001"})
    draft.refresh_from_db()
    assert draft.referrer_phone == "020 7946 0001"


# --- Resuming a draft -------------------------------------------------------------------------------


def test_continue_resumes_a_draft_at_the_page_it_was_left_on(cast, draft, agency_client):
    data = answers(cast.organisation.pk)
    for slug in ("services", "subject"):
        post_step(agency_client, draft, slug, data[slug])
    agency_client.post(reverse("portal:parties", kwargs={"draft_id": draft.pk}), {"action": "continue"})
    html = agency_client.get(reverse("portal:referrals")).content.decode()
    assert f'href="{step_url(draft, "behaviour")}"' in html
    html = agency_client.get(reverse("portal:drafts")).content.decode()
    assert f'href="{step_url(draft, "behaviour")}"' in html
    # And the pages already answered still hold the answers.
    assert 'value="Testperson"' in agency_client.get(step_url(draft, "subject")).content.decode()
