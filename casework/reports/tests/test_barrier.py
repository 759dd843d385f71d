"""The information barrier holds for reports: Vera's victim case has a report of its own, written
with canary words and issued to the agency supporting her; Stan's perpetrator case has a report
drawn from its record (which names Vera as the referral gave her) and issued to the police. Nobody
on Stan's side reaches anything of hers through the report pages, the files, the disclosure
register or its export, and the police see only Stan's report in the portal."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory
from casework.cases.tests.conftest import documents_in_tmp  # noqa: F401  (fixture)
from casework.cases.tests.test_information_barrier import (  # noqa: F401  (pair is a fixture)
    CASE_CANARIES,
    SEALED_CANARIES,
    canaries_in,
    pair,
    walk,
)
from casework.core.roles import Role
from casework.reports import services
from casework.reports.models import ReportSection
from casework.reports.services import drafting, issuing

REPORT_CANARY = {"report": "Canaryreport she has moved her children to a new school"}
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


def _written_and_issued(case, *, author, lead, recipient, side, kind, extra: str = ""):
    request_ = services.request_add(
        case=case,
        report_type=kind,
        instructing_party=recipient,
        due_on=timezone.localdate() + dt.timedelta(days=9),
        by=author,
    )
    report = drafting.report_start(request_=request_, by=author)
    edits = {
        s.key: {"body": (s.body or "Written.") + (f"\n\n{extra}" if extra else ""), "version": s.row_version}
        for s in ReportSection.objects.filter(report=report)
    }
    drafting.sections_save(report=report, edits=edits, by=author)
    drafting.author_sign(report=report, by=author)
    drafting.lead_sign(report=report, by=lead)
    return issuing.report_issue(
        report=report,
        recipient=recipient,
        recipient_side=side,
        method="portal",
        legal_basis="letter_of_instruction",
        by=author,
    )


@pytest.fixture
def reports_pair(cast, pair, documents_in_tmp):  # noqa: F811  (fixtures)
    support = OrganisationFactory(name="Canaryshire Stalking Support", kind="other")
    victims = _written_and_issued(
        pair.victim_case,
        author=pair.victim_clinician,
        lead=cast.clinical_lead,
        recipient=support,
        side="health",
        kind="nhs_trust",
        extra=f"{REPORT_CANARY['report']}. {SEALED_CANARIES['address']}.",
    )
    stans = _written_and_issued(
        pair.perpetrator_case,
        author=cast.clinician,
        lead=cast.clinical_lead,
        recipient=cast.organisation,
        side="police",
        kind="police",
    )
    return pair, victims, stans


PERPETRATOR_SIDE = ("lead clinician", "clinician on the team", "clinical lead on the team", "break-glass holder")


def _perpetrator_side(cast, barrier_pair):
    return {
        "lead clinician": cast.clinician,
        "clinician on the team": barrier_pair.second_on_team,
        "clinical lead on the team": barrier_pair.lead_on_team,
        "break-glass holder": barrier_pair.break_glass_clinician,
        "referrals coordinator": cast.coordinator,
    }


def test_no_report_page_file_or_register_row_of_the_victim_reaches_the_perpetrator_side(cast, reports_pair, client_for):
    both, victims, _stans = reports_pair
    canaries = {**SEALED_CANARIES, **CASE_CANARIES, **REPORT_CANARY}
    victim_urls = [
        reverse("reports:write", args=[both.victim_case.reference, victims.report.request_id]),
        reverse("reports:issued_pdf", args=[both.victim_case.reference, victims.report.request_id, victims.pk]),
        reverse("reports:versions", args=[both.victim_case.reference, victims.report.request_id]),
    ]
    leaks = []
    for who, user in _perpetrator_side(cast, both).items():
        client = client_for(user)
        for url in victim_urls:
            status = client.get(url).status_code
            if status not in (403, 404):
                leaks.append(f"{who} {url}: {status}")
        pages = walk(client, both.perpetrator_case)
        pages["register"] = (0, client.get(reverse("disclosures:register")).content.decode())
        pages["register export"] = (0, client.get(reverse("disclosures:export")).content.decode())
        for url, (_status, body) in pages.items():
            found = canaries_in(body, canaries)
            # The coordinator administers every case and may know the victim case exists; nobody on
            # Stan's side may.
            if who in PERPETRATOR_SIDE and both.victim_case.reference in body:
                found.append("the victim case's reference")
            if found:
                leaks.append(f"{who} {url}: {found}")
    assert not leaks, "\n".join(leaks)


def test_the_perpetrator_sides_issued_report_holds_nothing_of_the_victim(cast, reports_pair):
    _pair, _victims, stans = reports_pair
    text = subprocess.run(
        [PDFTOTEXT, "-", "-"], input=stans.pdf.open("rb").read(), capture_output=True, check=True
    ).stdout.decode()
    squashed = re.sub(r"\s+", " ", text)
    assert not canaries_in(squashed, {**SEALED_CANARIES, **CASE_CANARIES, **REPORT_CANARY})
    assert "Zephyrine" not in squashed and "Quillcanary" not in squashed  # her new identity


def test_the_police_see_only_stans_report_in_the_portal(cast, reports_pair, client_for):
    _pair, victims, stans = reports_pair
    agency = cast.by_name("agency")
    assert agency.role == Role.AGENCY_REFERRER
    page = client_for(agency).get(reverse("portal:reports")).content.decode()
    assert reverse("portal:report_pdf", args=[stans.pk]) in page
    assert reverse("portal:report_pdf", args=[victims.pk]) not in page
    assert client_for(agency).get(reverse("portal:report_pdf", args=[victims.pk])).status_code == 404
