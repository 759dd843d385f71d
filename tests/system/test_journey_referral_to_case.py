"""The front door end to end, as its users meet it in a real browser (issue 11): an agency officer
refers through the portal; a referrals coordinator screens it, first asking for more information,
which the officer answers with a document, then accepting it; a clinical lead allocates it to one of
the clinicians who may take it and opens a case from it, linking the person referred on the way;
the case carries the referral's orders, hearing, report date, services and officer; the officer
sees the clinician's name, sends another document and downloads the acceptance letter.

Each user signs in with a password and a security code, each in a browser of their own. axe-core
runs on every page any of them sees: none may have a serious or critical finding.

The request for information comes before the acceptance because the workflow allows it only while
a referral is being screened (casework/referrals/workflow.py).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from casework.accounts import mfa
from casework.accounts.tests.factories import TEST_PASSWORD, OrganisationFactory, TrainingRecordFactory, UserFactory
from casework.core.roles import Role
from casework.organisations.models import OrganisationKind
from casework.people.tests.factories import create_person
from casework.referrals.choices import ScanStatus
from casework.referrals.models import Referral, ReferralDocument
from casework.referrals.tests.test_documents import PDF
from tests.system.axe import axe_problems

pytestmark = pytest.mark.system

TODAY = timezone.localdate()
HEARING_ON = TODAY + dt.timedelta(days=40)
REPORT_DUE_ON = TODAY + dt.timedelta(days=30)


def _gb(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def documents_in_tmp(settings, tmp_path):
    """Documents sent through the portal go to a temporary folder, never to var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


class Journey:
    """The browsers of the people on the journey, and what axe found on every page they saw."""

    def __init__(self, chromium, live_server) -> None:
        self.chromium = chromium
        self.live_server = live_server
        self.contexts: list = []
        self.visited: list[str] = []
        self.problems: list[str] = []

    def check(self, page: Page) -> None:
        """axe-core on the page as it is now (after its navigation has finished)."""
        page.wait_for_load_state("load")
        self.visited.append(page.url.removeprefix(self.live_server.url))
        self.problems += axe_problems(page)

    def sign_in(self, user) -> Page:
        """A browser of ``user``'s own, signed in through the sign-in pages with a security code."""
        device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
        context = self.chromium.new_context(base_url=self.live_server.url, locale="en-GB", timezone_id="Europe/London")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto("/sign-in/")
        self.check(page)
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/sign-in/security-code/")
        self.check(page)
        code = f"{totp(device.bin_key, step=30, t0=0, digits=6, drift=0):06d}"
        page.get_by_label("Security code").fill(code)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        self.check(page)
        return page

    def click(self, page: Page, locator, url_pattern: str) -> None:
        """Follow a link or press a button, wait for the page it leads to, and check that page."""
        locator.click()
        page.wait_for_url(url_pattern)
        self.check(page)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(chromium, live_server, audit_log_flushable, documents_in_tmp, scanner):
    """``scanner``: uploads are scanned by the test session's clamd, as the portal's upload tests do."""
    walk = Journey(chromium, live_server)
    yield walk
    walk.close()


@pytest.fixture
def people(db):
    police = OrganisationFactory(name="Northshire Police", kind=OrganisationKind.POLICE_FORCE)
    officer = UserFactory(
        role=Role.AGENCY_REFERRER,
        organisation=police,
        full_name="Pat Police",
        email="officer@northshire.police.example",
        job_title="Detective Constable",
        phone="020 7946 0001",
    )
    coordinator = UserFactory(
        role=Role.REFERRALS_COORDINATOR, full_name="Cora Coordinator", email="coordinator@nsc.example.nhs.uk"
    )
    lead = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lena Lead", email="lead@nsc.example.nhs.uk")
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Clare Clinician", email="clinician@nsc.example.nhs.uk")
    other = UserFactory(role=Role.CLINICIAN, full_name="Oscar Other", email="other@nsc.example.nhs.uk")
    for trained in (clinician, other):
        TrainingRecordFactory(user=trained)  # Stalking Risk Profile training, current
    # Not eligible for this work: no SRP training (listed apart, not a choice); no longer active;
    # not a clinician at all.
    untrained = UserFactory(role=Role.CLINICIAN, full_name="Nat Untrained")
    inactive = UserFactory(role=Role.CLINICIAN, full_name="Ivy Inactive", is_active=False)
    TrainingRecordFactory(user=inactive)
    # The person referred is already known to the clinic.
    known = create_person(
        by=coordinator, given_name="Adam", family_name="Testperson", date_of_birth=dt.date(1981, 6, 2)
    )
    return {
        "police": police,
        "officer": officer,
        "coordinator": coordinator,
        "lead": lead,
        "clinician": clinician,
        "other": other,
        "untrained": untrained,
        "inactive": inactive,
        "known": known,
    }


def _date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _save_and_continue(journey: Journey, page: Page, next_page: str) -> None:
    journey.click(page, page.get_by_role("button", name="Save and continue"), next_page)


def refer(journey: Journey, officer_page: Page) -> str:
    """The officer refers Adam Testperson through the portal's question pages; the reference."""
    page = officer_page
    journey.click(page, page.get_by_role("link", name="Refer a case"), "**/portal/new/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.click(page, page.get_by_role("button", name="Start now"), "**/services/")

    page.get_by_label("Assessment of the person who stalks").check()
    page.get_by_label("Report for sentencing").check()
    _save_and_continue(journey, page, "**/subject/")

    page.get_by_label("The person who stalks").check()
    page.get_by_label("Given name").fill("Adam")
    page.get_by_label("Family name").fill("Testperson")
    _date(page, "Date of birth", dt.date(1981, 6, 2))
    page.get_by_label("Other details about them").fill("Also known as AJ")
    _save_and_continue(journey, page, "**/people/")

    page.get_by_label("Victim").check()
    page.get_by_label("Full name").fill("Vicky Named")
    page.get_by_label("Relationship to the person referred").fill("Former partner")
    journey.click(page, page.get_by_role("button", name="Add this person"), "**/people/")
    expect(page.get_by_text("Vicky Named added")).to_be_visible()
    _save_and_continue(journey, page, "**/behaviour/")

    page.get_by_label("Describe the behaviour in outline").fill(
        "Repeated messages and loitering outside the former partner's home."
    )
    page.get_by_label("How long has it been going on?").fill("14 months")
    page.get_by_role("group", name="Is stalking, harassment or threat a significant part of the case?").get_by_label(
        "Yes"
    ).check()
    _save_and_continue(journey, page, "**/legal/")

    page.get_by_label("Convicted").check()
    page.get_by_label("Stalking involving fear of violence or serious alarm or distress (s4A)").check()
    page.get_by_label("Restraining order").check()
    _save_and_continue(journey, page, "**/setting/")

    page.get_by_label("In the community").check()
    _save_and_continue(journey, page, "**/dates/")

    _date(page, "Next court hearing", HEARING_ON)
    _date(page, "Report needed by", REPORT_DUE_ON)
    _save_and_continue(journey, page, "**/funding/")

    page.get_by_label("Commissioning organisation").select_option(label="Northshire Police")
    _save_and_continue(journey, page, "**/contact/")

    expect(page.get_by_label("Full name")).to_have_value("Pat Police")  # filled in from the account
    _save_and_continue(journey, page, "**/check/")

    expect(page.get_by_text("Vicky Named")).to_be_visible()
    journey.click(
        page, page.get_by_role("button", name="Send referral"), re.compile(r".*/portal/referrals/REF-.*/sent/$")
    )
    reference = re.search(r"REF-\d{4}-\d{5,}", page.url).group(0)
    expect(page.get_by_role("main")).to_contain_text(reference)
    return reference


def decide(journey: Journey, page: Page, reference: str, decision: str, reason: str, services=()) -> None:
    """From the referral's page, screen it: the decision, its letter previewed, then recorded."""
    page.goto(reverse("referrals:detail", args=[reference]))
    journey.check(page)
    journey.click(page, page.get_by_role("link", name="Screen this referral"), "**/screening/")
    # The referral beside the decision: the answers on the left, the rules and decision on the right.
    answers = page.get_by_test_id("referral-answers")
    expect(answers).to_contain_text("Adam Testperson")
    left, right = answers.bounding_box(), page.locator("#screening").bounding_box()
    assert right["x"] >= left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 5
    decision_group = page.get_by_role("group", name="Decision")
    decision_group.get_by_label(decision, exact=True).check()
    for service in services:
        page.get_by_label(service).check()
    page.get_by_label("Reason", exact=True).fill(reason)
    journey.click(page, page.get_by_role("button", name="Continue to the letter"), "**/screening/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the letter before you record the decision")
    expect(page.get_by_test_id("letter-preview")).to_be_visible()
    journey.click(
        page,
        page.get_by_role("button", name="Record the decision and issue the letter"),
        re.compile(r".*/referrals/REF-.*/letters/\d+/$"),
    )
    expect(page.get_by_text("The letter to the referrer is issued")).to_be_visible()


def test_a_referral_goes_from_the_portal_to_an_open_case(journey, people, live_server):
    officer_page = journey.sign_in(people["officer"])
    coordinator_page = journey.sign_in(people["coordinator"])
    lead_page = journey.sign_in(people["lead"])

    # 1. The agency officer refers.
    reference = refer(journey, officer_page)
    referral = Referral.objects.get(reference=reference)
    assert referral.referring_organisation == people["police"] and referral.referrer_user == people["officer"]

    # 2a. The coordinator starts screening and asks the agency for more information.
    page = coordinator_page
    page.goto(reverse("referrals:list"))
    journey.check(page)
    journey.click(page, page.get_by_role("link", name=reference), f"**/referrals/{reference}/")
    journey.click(page, page.get_by_role("link", name="Screen this referral"), "**/screening/")
    journey.click(page, page.get_by_role("button", name="Start screening"), f"**/referrals/{reference}/")
    question = "Please send the police summary of the index offence."
    decide(journey, page, reference, "Request more information", question)

    # 2b. The officer answers through the portal, with the police summary attached.
    page = officer_page
    page.goto(reverse("portal:detail", args=[reference]))
    journey.check(page)
    expect(page.get_by_test_id("clinic-question")).to_contain_text(question)
    journey.click(page, page.get_by_role("button", name="Answer the clinic's request"), "**/answer/")
    page.get_by_label("Your answer").fill("The police summary is attached.")
    page.get_by_label("Police summary").check()
    page.get_by_label("Upload a document (optional)").set_input_files(
        {"name": "police-summary.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    journey.click(page, page.get_by_role("button", name="Send answer"), f"**/portal/referrals/{reference}/")
    expect(page.get_by_text("Your answer has been sent to the clinic")).to_be_visible()
    expect(page.get_by_test_id("answers-sent")).to_contain_text("The police summary is attached.")
    expect(page.get_by_test_id("documents-sent")).to_contain_text("police-summary.pdf")

    # 2c. Back with the coordinator, screening again: accepted, with the letter previewed first.
    decide(
        journey,
        coordinator_page,
        reference,
        "Accept",
        "Meets the criteria: stalking is central and the court wants a report.",
        services=["Assessment of the person who stalks", "Report for sentencing"],
    )

    # 3. The clinical lead allocates: only the clinicians who may take the work are choices.
    page = lead_page
    page.goto(reverse("referrals:detail", args=[reference]))
    journey.check(page)
    journey.click(page, page.get_by_role("link", name="Allocate to a clinician"), "**/allocate/")
    lead_field = page.get_by_label("Lead clinician", exact=True)
    offered = {text.split(" – ")[0] for text in lead_field.locator("option").all_inner_texts()} - {"Select a clinician"}
    assert offered == {"Clare Clinician", "Oscar Other"}
    not_offered = page.get_by_test_id("not-offered")
    expect(not_offered).to_contain_text("Nat Untrained")  # shown apart, with why, but no choice
    for nobody in ("Ivy Inactive", "Cora Coordinator"):
        expect(page.get_by_role("main")).not_to_contain_text(nobody)
    lead_field.select_option(value=str(people["clinician"].pk))
    journey.click(page, page.get_by_role("button", name="Allocate"), f"**/referrals/{reference}/")
    expect(page.get_by_text("Allocated to Clare Clinician")).to_be_visible()

    # 4. The clinical lead opens a case, linking the person referred to their record on the way.
    journey.click(
        page,
        page.get_by_role("link", name="Open a case, or add this work to an open case"),
        f"**/cases/open/{reference}/",
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Link the person referred first")
    journey.click(page, page.get_by_role("button", name="Find or add the person referred"), "**/subject/?next=*")
    known = people["known"]
    expect(page.get_by_test_id("candidates")).to_contain_text(known.reference)
    journey.click(
        page,
        page.get_by_role("button", name=re.compile(rf"^This is the same person.*\({known.reference}\)")),
        f"**/cases/open/{reference}/",
    )
    expect(page.get_by_text(f"{known.reference} linked to {reference}")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open a case")
    journey.click(page, page.get_by_role("button", name="Continue"), re.compile(r".*/cases/(?!open/)[^/]+/$"))
    expect(page.get_by_text(re.compile(r"Case \S+ opened"))).to_be_visible()
    main = page.get_by_role("main")
    came_from = f"From referral {reference}"
    owed = page.get_by_test_id("work-owed")
    expect(owed).to_contain_text("Report for sentencing")
    expect(owed).to_contain_text(f"By {_gb(REPORT_DUE_ON)}")
    expect(owed).to_contain_text("Assessment of the person who stalks")
    expect(owed).to_contain_text("Sentencing hearing")
    expect(owed).to_contain_text(f"Hearing on {_gb(HEARING_ON)}")
    expect(owed).to_contain_text(came_from)
    expect(page.get_by_test_id("orders")).to_contain_text("Restraining order")
    expect(page.get_by_test_id("orders")).to_contain_text(came_from)
    expect(main).to_contain_text("Pat Police")
    # Orders, hearing and officer each say where they came from, as do the services owed.
    assert main.inner_text().count(came_from) >= 6
    expect(main).to_contain_text(known.full_name)

    # 5. The officer sees the clinician's name, sends another document, and keeps the acceptance letter.
    page = officer_page
    page.goto(reverse("portal:detail", args=[reference]))
    journey.check(page)
    expect(page.get_by_test_id("clinician")).to_contain_text("Your clinician is Clare Clinician")
    expect(page.get_by_test_id("clinician")).to_contain_text("opened a case")
    journey.click(page, page.get_by_role("link", name="Send the clinic a document"), "**/documents/new/")
    page.get_by_label("Previous report").check()
    page.get_by_label("Upload a file").set_input_files(
        {"name": "previous-report.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    journey.click(page, page.get_by_role("button", name="Send document"), f"**/portal/referrals/{reference}/")
    expect(page.get_by_text("Document sent to the clinic")).to_be_visible()
    expect(page.get_by_test_id("documents-sent")).to_contain_text("previous-report.pdf")
    journey.click(page, page.get_by_role("link", name="Acceptance letter", exact=True), "**/letters/*/")
    pdf_link = page.get_by_role("button", name="Download as PDF")
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename.startswith(reference) and download.value.suggested_filename.endswith(
        ".pdf"
    )

    # Both documents went through clamd (the test session's, as the upload tests use).
    scanned = ReferralDocument.objects.filter(referral=referral).values_list("original_name", "scan_status")
    assert sorted(scanned) == [("police-summary.pdf", ScanStatus.CLEAN), ("previous-report.pdf", ScanStatus.CLEAN)]

    assert journey.problems == [], "\n".join(journey.problems)
    assert len(journey.visited) >= 30, journey.visited
