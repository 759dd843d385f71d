"""The canary: a sealed victim's details, typed into a report by mistake (and drawn from nowhere
else), never reach a perpetrator-side recipient: not the PDF's text layer, not the DOCX, not the
preview; a section marked as not for the recipient is left out; what was removed is recorded
without the values."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from io import BytesIO

import pytest
from django.utils import timezone

from casework.cases.services.records import party_add
from casework.people import services as people_services
from casework.people.models import (
    OnlineIdentifier,
    PersonAddress,
    PersonCareTeam,
    PersonEmail,
    PersonPhone,
    Platform,
)
from casework.people.tests.factories import create_person
from casework.reports import services
from casework.reports.models import ReportSection
from casework.reports.services import drafting, issuing

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"

CANARIES = {
    "address": "14 Canary Wharf Lane",
    "postcode": "LS6 2QF",
    "phone": "0113 496 0457",
    "email": "canary.victim@example.org",
    "handle": "@canaryvictim",
}


@pytest.fixture
def sealed_victim(cast, rworld):
    victim = create_person(by=cast.coordinator, given_name="Wren", family_name="Canary", is_sealed=True)
    PersonCareTeam.objects.get_or_create(
        person=victim,
        user=cast.coordinator,
        defaults={"role": "clinician", "added_at": timezone.now(), "added_by": cast.coordinator},
    )
    people_services.detail_add(
        person=victim,
        model=PersonAddress,
        by=cast.coordinator,
        address=CANARIES["address"],
        postcode=CANARIES["postcode"],
    )
    people_services.detail_add(person=victim, model=PersonPhone, by=cast.coordinator, number=CANARIES["phone"])
    people_services.detail_add(person=victim, model=PersonEmail, by=cast.coordinator, address=CANARIES["email"])
    people_services.detail_add(
        person=victim,
        model=OnlineIdentifier,
        by=cast.coordinator,
        platform=Platform.INSTAGRAM,
        handle=CANARIES["handle"],
    )
    party_add(case=rworld.case, person=victim, role="victim", by=cast.clinician)
    return victim


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run([PDFTOTEXT, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _docx_text(docx: bytes) -> str:
    with zipfile.ZipFile(BytesIO(docx)) as archive:
        xml = " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return xml + " " + re.sub(r"<[^>]+>", "", xml)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def test_no_sealed_victim_value_reaches_a_perpetrator_side_recipients_pdf_or_docx(cast, rworld, sealed_victim):
    made = services.requests_from_case(case=rworld.case, by=cast.clinician)
    report = drafting.report_start(request_=made[0], by=cast.clinician)
    planted = (
        f"She lives at {CANARIES['address']}, {CANARIES['postcode']}; phone 01134960457 or {CANARIES['phone']}; "
        f"email {CANARIES['email'].upper()}; Instagram {CANARIES['handle']}."
    )
    edits = {}
    for section in ReportSection.objects.filter(report=report):
        body = section.body or "Written."
        if section.key == "history":
            body = planted
        edits[section.key] = {"body": body, "version": section.row_version}
    edits["mental_state"]["withheld_from"] = ["police"]
    edits["mental_state"]["body"] = "Canary clinical detail not for the police."
    drafting.sections_save(report=report, edits=edits, by=cast.clinician)
    preview, removed = issuing.preview(report=report, recipient_side="police", by=cast.clinician)
    drafting.author_sign(report=report, by=cast.clinician)
    drafting.lead_sign(report=report, by=cast.clinical_lead)
    issued = issuing.report_issue(
        report=report,
        recipient=cast.organisation,
        recipient_side="police",
        method="secure_email",
        legal_basis="letter_of_instruction",
        by=cast.clinician,
    )
    pdf_text = _squash(_pdf_text(issued.pdf.open("rb").read()))
    docx_text = _squash(_docx_text(issued.docx.open("rb").read()))
    preview_text = _squash(" ".join(s["body"] for s in preview))
    assert "redacted" in pdf_text and "redacted" in docx_text  # the section is there, the values are not
    for value in [*CANARIES.values(), "01134960457"]:
        for text in (pdf_text, docx_text, preview_text):
            assert _squash(value) not in text
    assert "canaryclinicaldetail" not in pdf_text and "canaryclinicaldetail" not in docx_text
    kinds = {r["what"] for r in issued.redactions}
    assert {"address", "section"} <= kinds and any("telephone" in k for k in kinds)
    assert all(_squash(v) not in _squash(str(issued.redactions)) for v in CANARIES.values())
    assert {r.what for r in removed} == kinds
