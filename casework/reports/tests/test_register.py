"""The disclosure register: each user sees the entries of the cases they can read; clinical staff
see every column, the referrals coordinator only the administrative ones; search, filters and
pages; the CSV holds the same rows and columns and is audited as an export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory, TrainingRecordFactory, UserFactory
from casework.audit.models import Action, AuditEvent
from casework.cases.tests.factories import make_case
from casework.core.roles import Role
from casework.core.testing import assert_page_queries_flat
from casework.referrals.choices import Decision, Status
from casework.referrals.notify_standin import STANDIN_KEY, StandIn
from casework.referrals.services.triage import screening_decide
from casework.referrals.tests.factories import ReferralFactory
from casework.reports.models import DisclosureEntry
from casework.reports.tests.issued import make_issued, report_on

REGISTER = "/reports/register/"
EXPORT = "/reports/register/export.csv"


@pytest.fixture
def register_world(cast, rworld):
    """An issue of a report on ``rworld.case`` (``cast.clinician``'s) to Northshire Police by
    secure email under a duty to share, and one on another clinician's case to a Crown Court by
    post on a letter of instruction, released ten days ago."""
    ours = make_issued(report_on(rworld.case, by=cast.clinician), recipient=cast.organisation, by=cast.clinician)
    lead = UserFactory(role=Role.CLINICIAN, full_name="Tess Theirs")
    TrainingRecordFactory(user=lead)
    other_case = make_case(lead=lead, by=cast.clinical_lead)
    court = OrganisationFactory(name="Leeds Crown Court", kind="court")
    theirs = make_issued(
        report_on(other_case, by=lead, report_type="sentencing"),
        recipient=court,
        by=lead,
        side="court",
        method="post",
        legal_basis="letter_of_instruction",
        recipient_name="The Listing Officer",
    )
    DisclosureEntry.objects.filter(issued_report=theirs).update(released_at=timezone.now() - dt.timedelta(days=10))
    return rworld.case, other_case, ours, theirs


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_clinician_sees_the_entries_of_the_cases_they_can_read(cast, client_for, register_world):
    ours_case, other_case, _, _ = register_world
    page = client_for(cast.clinician).get(REGISTER).content.decode()
    assert ours_case.reference in page and other_case.reference not in page
    assert "DC Dana Instructing" in page and "Sent to the officer&#39;s secure address" in page
    assert client_for(cast.other_clinician).get(REGISTER).content.decode().count("CASE-") == 0
    lead_page = client_for(cast.clinical_lead).get(REGISTER).content.decode()
    assert ours_case.reference in lead_page and other_case.reference in lead_page


def test_the_coordinator_sees_only_the_administrative_columns(cast, client_for, register_world):
    ours_case, other_case, _, _ = register_world
    client = client_for(cast.coordinator)
    page = client.get(REGISTER).content.decode()
    assert ours_case.reference in page and other_case.reference in page
    assert "Northshire Police" in page and "Secure email" in page and "Duty to share" in page
    assert "DC Dana Instructing" not in page and "secure address" not in page and "Released by" not in page
    rows = _csv(client.get(EXPORT))
    assert rows[0] == ["Date released", "Case or referral", "Recipient", "Method", "Legal basis", "Description"]
    assert len(rows) == 3 and all(len(row) == 6 for row in rows)
    # A search by the officer's name (a column she does not see) finds nothing.
    assert ours_case.reference not in client.get(REGISTER, {"q": "Dana"}).content.decode()


def test_search_and_filters_narrow_the_page_and_the_export_alike(cast, client_for, register_world):
    ours_case, other_case, _, _ = register_world
    client = client_for(cast.clinical_lead)

    def found(params):
        page = client.get(REGISTER, params).content.decode()
        rows = _csv(client.get(EXPORT, params))[1:]
        on_page = {c.reference for c in (ours_case, other_case) if c.reference in page}
        assert on_page == {row[1] for row in rows}, params
        return on_page

    assert found({"q": ours_case.reference.lower()}) == {ours_case.reference}
    assert found({"q": "crown court"}) == {other_case.reference}
    assert found({"q": "Dana"}) == {ours_case.reference}
    assert found({"method": "post"}) == {other_case.reference}
    assert found({"legal_basis": "duty_to_share"}) == {ours_case.reference}
    today = timezone.localdate()
    since = today - dt.timedelta(days=3)
    assert found(
        {"released_from_day": since.day, "released_from_month": since.month, "released_from_year": since.year}
    ) == {ours_case.reference}
    assert found({"released_to_day": since.day, "released_to_month": since.month, "released_to_year": since.year}) == {
        other_case.reference
    }


def test_an_end_date_before_the_start_date_is_refused(cast, client_for, register_world):
    today = timezone.localdate()
    earlier = today - dt.timedelta(days=5)
    params = {
        "released_from_day": today.day,
        "released_from_month": today.month,
        "released_from_year": today.year,
        "released_to_day": earlier.day,
        "released_to_month": earlier.month,
        "released_to_year": earlier.year,
    }
    response = client_for(cast.clinical_lead).get(REGISTER, params)
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert client_for(cast.clinical_lead).get(EXPORT, params).status_code == 400


def test_the_export_is_audited_with_its_filters_but_not_the_words_searched(cast, client_for, register_world):
    ours_case, *_ = register_world
    response = client_for(cast.clinician).get(EXPORT, {"q": ours_case.reference, "method": "secure_email"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][-4:] == ["Recipient (officer or court)", "Released by", "Issue", "Note"]
    assert rows[1][1] == ours_case.reference and rows[1][6] == "DC Dana Instructing"
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="reports.disclosureentry")
    assert event.actor == cast.clinician and event.changes["rows"] == 1
    assert event.changes["searched"] is True and event.changes["method"] == "secure_email"
    assert ours_case.reference not in str(event.changes)


def test_a_page_read_is_audited(cast, client_for, register_world):
    client_for(cast.coordinator).get(REGISTER)
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="reports.disclosureentry").get()
    assert event.actor == cast.coordinator and event.object_label == "disclosure register, page 1"


@pytest.mark.parametrize("role", ["finance", "researcher", "sysadmin", "agency"])
def test_other_roles_are_refused_the_register_and_its_export(role, cast, client_for, register_world):
    client = client_for(cast.by_name(role))
    assert client.get(REGISTER).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_register_is_in_the_header_for_those_who_may_see_it(cast, client_for, register_world):
    assert f'href="{reverse("disclosures:register")}"' in client_for(cast.coordinator).get("/").content.decode()
    assert f'href="{reverse("disclosures:register")}"' not in client_for(cast.finance).get("/").content.decode()


def test_the_register_keeps_a_fixed_number_of_queries(cast, client_for, register_world):
    ours_case, _, ours, _ = register_world

    numbers = iter(range(2, 100))

    def grow():
        for _ in range(3):
            make_issued(ours.report, recipient=ours.recipient, by=cast.clinician, number=next(numbers))

    assert_page_queries_flat(client_for(cast.clinical_lead), REGISTER, grow=grow)
    assert_page_queries_flat(client_for(cast.coordinator), EXPORT, grow=grow)


# --- Letters to referrers ------------------------------------------------------------------------


@pytest.fixture
def notify(settings):
    standin = StandIn().start()
    settings.NOTIFY_API_KEY = STANDIN_KEY
    settings.NOTIFY_BASE_URL = standin.url
    yield standin
    standin.stop()


def _letter(cast, capture, *, decision=Decision.DECLINE, **kwargs):
    """A referral from Northshire Police screened by the coordinator: its letter issued and sent
    through the Notify stand-in (by email unless ``referrer_email`` is empty)."""
    kwargs.setdefault("referring_organisation", cast.organisation)
    kwargs.setdefault("referrer_email", "jo@police.example.org")
    referral = ReferralFactory(status=Status.SCREENING, referrer_name="PC Jo Referrer", **kwargs)
    with capture(execute=True):
        letter = screening_decide(referral=referral, by=cast.coordinator, decision=decision, reason="Out of scope.")
    letter.refresh_from_db()
    return letter


def test_a_letter_sent_to_the_referrer_is_in_the_register_and_its_export(
    cast, client_for, notify, django_capture_on_commit_callbacks
):
    letter = _letter(cast, django_capture_on_commit_callbacks)
    reference = letter.referral.reference
    assert letter.sent_at is not None
    client = client_for(cast.coordinator)
    page = client.get(REGISTER).content.decode()
    assert f'href="{reverse("referrals:detail", args=[reference])}"' in page
    assert "Decline letter, sent to the referrer" in page
    assert "Email through GOV.UK Notify" in page and "Reply to the agency&#39;s referral" in page
    assert "PC Jo Referrer" not in page  # the officer's name is a detail column
    rows = _csv(client.get(EXPORT))
    assert [row[1:] for row in rows[1:]] == [
        [
            reference,
            "Northshire Police",
            "Email through GOV.UK Notify",
            "Reply to the agency's referral",
            "Decline letter, sent to the referrer",
        ]
    ]
    assert rows[1][0] == timezone.localtime(letter.sent_at).strftime("%d/%m/%Y %H:%M")


def test_the_register_lists_cases_and_letters_together_newest_first_with_filters(
    cast, client_for, notify, django_capture_on_commit_callbacks, register_world
):
    ours_case, other_case, _, _ = register_world
    emailed = _letter(cast, django_capture_on_commit_callbacks)
    posted = _letter(
        cast,
        django_capture_on_commit_callbacks,
        referrer_email="",
        referring_organisation=OrganisationFactory(
            name="Eastshire Probation", address="1 Road\nTown", postcode="TT1 1TT"
        ),
    )
    client = client_for(cast.clinical_lead)
    rows = _csv(client.get(EXPORT))
    assert [row[1] for row in rows[1:]] == [
        posted.referral.reference,
        emailed.referral.reference,
        ours_case.reference,
        other_case.reference,
    ]
    assert rows[1][3] == "Post" and rows[1][6] == "PC Jo Referrer" and rows[1][7] == "Cora Coordinator"
    by_post = [row[1] for row in _csv(client.get(EXPORT, {"method": "post"}))[1:]]
    assert by_post == [posted.referral.reference, other_case.reference]
    assert [row[1] for row in _csv(client.get(EXPORT, {"legal_basis": "referral"}))[1:]] == [
        posted.referral.reference,
        emailed.referral.reference,
    ]
    assert [row[1] for row in _csv(client.get(EXPORT, {"q": "Eastshire"}))[1:]] == [posted.referral.reference]
    assert [row[1] for row in _csv(client.get(EXPORT, {"q": emailed.referral.reference}))[1:]] == [
        emailed.referral.reference
    ]
    old = timezone.localdate() - dt.timedelta(days=3)
    until = {"released_to_day": old.day, "released_to_month": old.month, "released_to_year": old.year}
    assert [row[1] for row in _csv(client.get(EXPORT, until))[1:]] == [other_case.reference]


def test_a_letter_not_sent_and_the_letters_of_referrals_a_user_cannot_read_are_not_listed(
    cast, client_for, notify, django_capture_on_commit_callbacks
):
    unsent = _letter(
        cast,
        django_capture_on_commit_callbacks,
        referrer_email="",
        referring_organisation=OrganisationFactory(address="", postcode=""),
    )
    sent = _letter(cast, django_capture_on_commit_callbacks)
    assert unsent.sent_at is None
    coordinator_page = client_for(cast.coordinator).get(REGISTER).content.decode()
    assert sent.referral.reference in coordinator_page and unsent.referral.reference not in coordinator_page
    # A clinician with no part in the referral sees neither.
    assert sent.referral.reference not in client_for(cast.clinician).get(REGISTER).content.decode()
    assert len(_csv(client_for(cast.clinician).get(EXPORT))) == 1


def test_the_register_keeps_a_fixed_number_of_queries_as_letters_are_sent(
    cast, client_for, notify, django_capture_on_commit_callbacks, register_world
):
    def grow():
        for _ in range(3):
            _letter(cast, django_capture_on_commit_callbacks)

    assert_page_queries_flat(client_for(cast.clinical_lead), REGISTER, grow=grow)
    assert_page_queries_flat(client_for(cast.coordinator), EXPORT, grow=grow)
