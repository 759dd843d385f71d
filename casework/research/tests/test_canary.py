"""The canary: a client whose name, identifiers, address, references, exact dates and free text are
all canary values. None of them reaches a research extract (CSV, XLSX, row-level or summary) or any
research page; and a person who has opted out leaves no pseudonym in any extract."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from casework.cases.models import Case
from casework.people import services as people_services
from casework.people.models import Person, PersonAddress
from casework.referrals.models import Referral
from casework.research import extract, services

pytestmark = pytest.mark.django_db

CANARY = {
    "given_name": "Zephyrine",
    "family_name": "Quillcanary",
    "nhs_number": "9434765919",
    "address": "17 Kestrelcanary Close",
    "postcode": "ZZ99 3CZ",
    "free_text": "canaryfreetext",
    "date_of_birth": dt.date(1979, 2, 13),
}


@pytest.fixture
def canary(cast, service):
    subject = service.case1.subject
    Person.objects.filter(pk=subject.pk).update(
        given_name=CANARY["given_name"], family_name=CANARY["family_name"], date_of_birth=CANARY["date_of_birth"]
    )
    subject.refresh_from_db()
    subject.nhs_number = CANARY["nhs_number"]
    subject.refresh_blind_indexes()
    subject.save()
    PersonAddress.objects.create(person=subject, address=CANARY["address"], postcode=CANARY["postcode"])
    Case.objects.filter(pk=service.case1.pk).update(closure_note=CANARY["free_text"])
    Referral.objects.filter(pk=service.a.pk).update(behaviour_summary=CANARY["free_text"])
    # And a second client who has opted out.
    opted_out = service.case2.subject
    people_services.person_set_opt_out(person=opted_out, opted_out=True, by=cast.clinical_lead)
    return subject, opted_out


def _forbidden(service, subject) -> list[str]:
    case = Case.objects.get(pk=service.case1.pk)
    return [
        CANARY["given_name"],
        CANARY["family_name"],
        CANARY["nhs_number"],
        "943 476 5919",
        CANARY["address"],
        CANARY["postcode"],
        CANARY["free_text"],
        CANARY["date_of_birth"].isoformat(),
        subject.reference,
        case.reference,
        service.a.reference,
        case.opened_on.isoformat(),  # exact dates never: months only
    ]


def _approved(cast, kind: str, reference: str):
    made = services.extract_request(
        by=cast.researcher, kind=kind, purpose="Outcomes by stalker type and relationship", approval_reference=reference
    )
    return services.extract_decide(research_extract=made, by=cast.clinical_lead, approve=True)


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
    )


@pytest.mark.parametrize(("kind", "file_format"), [("cases", "csv"), ("cases", "xlsx"), ("summary", "csv")])
def test_no_canary_and_no_opted_out_pseudonym_in_any_extract(cast, service, canary, client_for, kind, file_format):
    subject, opted_out = canary
    approved = _approved(cast, kind, "IRAS 312456")
    response = client_for(cast.researcher).get(reverse(f"research:download_{file_format}", args=[approved.pk]))
    assert response.status_code == 200
    text = response.content.decode() if file_format == "csv" else _xlsx_text(response.content)
    for value in _forbidden(service, subject):
        assert value.lower() not in text.lower(), f"{value!r} reached a research extract"
    study = extract.study_of("IRAS 312456")
    assert extract.pseudonym("person", opted_out.pk, study) not in text
    for case in opted_out.cases.all():
        assert extract.pseudonym("case", case.pk, study) not in text
    if kind == "cases":
        # The canary's own case is there, by pseudonym only.
        assert extract.pseudonym("person", subject.pk, study) in text
        assert "1979-02" not in text  # nor the month of birth: an age band instead


def test_no_canary_on_any_research_page(cast, service, canary, client_for):
    subject, _ = canary
    approved = _approved(cast, "cases", "IRAS 312456")
    waiting = services.extract_request(
        by=cast.researcher, kind="summary", purpose="Referral patterns by agency kind", approval_reference="IRAS 9"
    )
    researcher = client_for(cast.researcher)
    researcher.get(reverse("research:download_csv", args=[approved.pk]))
    pages = [
        researcher.get(reverse("research:extracts")),
        researcher.get(reverse("research:extract_new")),
        researcher.get(reverse("research:extract_detail", args=[approved.pk])),
        researcher.get(reverse("research:extract_detail", args=[waiting.pk])),
        researcher.get(reverse("core:my_work")),
        client_for(cast.clinical_lead).get(reverse("research:extract_decide", args=[waiting.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        for value in _forbidden(service, subject)[:-1]:
            assert value not in html, f"{value!r} shown on a research page"


def test_a_researcher_reaches_no_person_or_case_page(cast, service, canary, client_for):
    subject, _ = canary
    client = client_for(cast.researcher)
    assert client.get(reverse("people:detail", args=[subject.reference])).status_code == 404
    assert client.get(reverse("cases:detail", args=[service.case1.reference])).status_code == 404
