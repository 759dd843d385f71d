"""Bad input to the incident timeline answers with a message, never 500; odd stored dates render.

Each test here was written against a defect found by trying hostile input (issue 9): it failed
before the fix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.cases.models import Incident
from casework.cases.tests.factories import IncidentFactory
from casework.cases.tests.test_incidents import form_data

HEADER = "date,type,channel,source,severity,description\n"


def _import(client, case, text: str = "", upload: bytes | None = None, confirm: bool = False):
    data = {"table": text}
    if upload is not None:
        data["file"] = SimpleUploadedFile("incidents.csv", upload, content_type="text/csv")
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("cases:incident_import", args=[case.reference]), data)


def test_an_incident_dated_in_the_year_1_is_refused_with_the_reason(cast, world, client_for):
    response = client_for(cast.clinician).post(
        reverse("cases:incident_add", args=[world.case.reference]),
        form_data(occurred_on_day="1", occurred_on_month="1", occurred_on_year="0001"),
    )
    assert response.status_code == 400
    assert "Date must be 1 January 1900 or later" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_table_row_dated_in_the_year_1_is_refused_with_the_reason(cast, world, client_for):
    response = _import(
        client_for(cast.clinician),
        world.case,
        HEADER + "01/01/0001,Following,In person,Police,2,Seen at the station\n",
        confirm=True,
    )
    assert response.status_code == 400
    assert "Row 1: Date must be 1 January 1900 or later" in response.content.decode()
    assert not Incident.objects.exists()


@pytest.mark.parametrize("stored", [dt.date(1, 1, 1), dt.date(1, 1, 20), dt.date(9999, 12, 31)])
def test_an_odd_stored_date_still_renders_the_case_the_timeline_and_the_export(cast, world, client_for, stored):
    IncidentFactory(case=world.case, occurred_on=stored)
    IncidentFactory(case=world.case)
    client = client_for(cast.clinician)
    for name in ("detail", "timeline", "timeline_export"):
        response = client.get(reverse(f"cases:{name}", args=[world.case.reference]))
        assert response.status_code == 200, name


def test_the_export_of_an_odd_stored_date_reads_back_with_the_reason(cast, world, client_for):
    IncidentFactory(case=world.case, occurred_on=dt.date(1, 1, 1))
    client = client_for(cast.clinician)
    exported = client.get(reverse("cases:timeline_export", args=[world.case.reference])).content.decode()
    assert "01/01/0001" in exported
    response = _import(client, world.case, exported)
    assert response.status_code == 400
    assert "Row 1: Date must be 1 January 1900 or later" in response.content.decode()


@pytest.mark.parametrize("part", ["occurred_on_day", "occurred_on_month", "occurred_on_year"])
def test_a_20_digit_date_part_is_refused_with_a_message(cast, world, client_for, part):
    response = client_for(cast.clinician).post(
        reverse("cases:incident_add", args=[world.case.reference]), form_data(**{part: "9" * 20})
    )
    assert response.status_code == 400
    assert "Date must be a real date" in response.content.decode()


@pytest.mark.parametrize(
    ("description", "refusal"),
    [
        ("Seen at\x00 the station", "control character"),  # a NUL byte in an uploaded table
        ("x" * 140_000, "Description must be 10,000 characters or fewer"),  # a cell over 131,072 characters
    ],
)
def test_an_uploaded_table_with_a_bad_cell_is_refused_with_the_reason(cast, world, client_for, description, refusal):
    text = HEADER + "01/10/2025,Following,In person,Police,2," + description + "\n"
    response = _import(client_for(cast.clinician), world.case, upload=text.encode(), confirm=True)
    assert response.status_code == 400
    assert refusal in response.content.decode()
    assert not Incident.objects.exists()


def test_the_import_refuses_a_description_longer_than_the_form_allows(cast, world, client_for):
    text = HEADER + "01/10/2025,Following,In person,Police,2," + "x" * 20_000 + "\n"
    response = _import(client_for(cast.clinician), world.case, text, confirm=True)
    assert response.status_code == 400
    assert "Row 1: Description must be 10,000 characters or fewer" in response.content.decode()
    assert not Incident.objects.exists()
