"""The incident timeline: adding and correcting an incident, the paginated list, the CSV export,
and bulk entry from a table (preview, confirm, all or nothing)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import Action, AuditEvent
from casework.cases import incident_table
from casework.cases.errors import CaseRefused
from casework.cases.models import Incident
from casework.cases.services import records
from casework.cases.tests.factories import IncidentFactory
from casework.referrals.tests.factories import ReferralDocumentFactory


def form_data(**overrides) -> dict:
    data = {
        "occurred_on_day": "3",
        "occurred_on_month": "11",
        "occurred_on_year": "2026",
        "precision": "exact",
        "occurred_time": "21:15",
        "behaviour": "loitering",
        "channel": "in_person",
        "victim": "",
        "source": "police",
        "severity": "3",
        "description": "Seen outside her workplace at closing time",
    }
    data.update(overrides)
    return data


def test_a_clinician_on_the_team_adds_an_incident(cast, world, client_for):
    document = ReferralDocumentFactory(referral=world.referral)
    url = reverse("cases:incident_add", args=[world.case.reference])
    client = client_for(cast.clinician)
    page = client.get(url).content.decode()
    assert 'data-testid="severity-scale"' in page and "5 – Critical" in page
    response = client.post(url, form_data(victim=str(world.victim_party.pk), documents=[str(document.pk)]))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.occurred_on == dt.date(2026, 11, 3) and incident.occurred_time == dt.time(21, 15)
    assert incident.victim == world.victim_party and incident.severity == 3 and incident.source == "police"
    assert list(incident.documents.all()) == [document]
    event = AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.case").latest("sequence")
    assert f"incident {incident.pk}" in event.changes
    assert event.object_label == world.case.reference


def test_a_refused_incident_says_why_for_each_field_and_keeps_what_was_typed(cast, world, client_for):
    response = client_for(cast.clinician).post(
        reverse("cases:incident_add", args=[world.case.reference]),
        form_data(
            occurred_on_day="31",
            occurred_on_month="2",
            occurred_time="",
            severity="",
            behaviour="",
            description="Seen again by the bus stop",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    for message in ("Date must be a real date", "Select the severity, from 1 to 5", "Select the type of incident"):
        assert message in body
    assert "Seen again by the bus stop" in body
    assert not Incident.objects.exists()


def test_an_exact_incident_needs_a_time(cast, world, client_for):
    response = client_for(cast.clinician).post(
        reverse("cases:incident_add", args=[world.case.reference]), form_data(occurred_time="")
    )
    assert response.status_code == 400
    assert "Enter the time, or choose date only" in response.content.decode()


def test_a_future_incident_is_refused(cast, world, client_for):
    future = timezone.localdate() + dt.timedelta(days=3)
    response = client_for(cast.clinician).post(
        reverse("cases:incident_add", args=[world.case.reference]),
        form_data(
            occurred_on_day=str(future.day), occurred_on_month=str(future.month), occurred_on_year=str(future.year)
        ),
    )
    assert response.status_code == 400
    assert "Date must be today or in the past" in response.content.decode()


def test_a_month_only_incident_is_dated_to_the_first_and_has_no_time(cast, world):
    incident = records.incident_add(
        case=world.case,
        by=cast.clinician,
        occurred_on=dt.date(2026, 6, 17),
        occurred_time=dt.time(9, 0),
        precision="month",
        behaviour="letters_or_gifts",
        channel="post",
        victim=None,
        source="victim",
        severity=1,
        description="Flowers left on the doorstep some time in June",
    )
    assert incident.occurred_on == dt.date(2026, 6, 1) and incident.occurred_time is None


def test_an_incident_cannot_name_someone_who_is_not_a_victim_of_this_case(cast, world):
    subject_party = world.case.parties.get(role="subject")
    with pytest.raises(CaseRefused):
        records.incident_add(
            case=world.case,
            by=cast.clinician,
            occurred_on=dt.date(2026, 6, 17),
            precision="day",
            behaviour="text",
            channel="text",
            victim=subject_party,
            source="victim",
            severity=1,
            description="x",
        )


def test_an_incident_cannot_link_a_document_of_another_referral(cast, world):
    stranger = ReferralDocumentFactory()
    with pytest.raises(CaseRefused):
        records.incident_add(
            case=world.case,
            by=cast.clinician,
            occurred_on=dt.date(2026, 6, 17),
            precision="day",
            behaviour="text",
            channel="text",
            victim=None,
            source="victim",
            severity=1,
            description="x",
            documents=[stranger.pk],
        )


def test_correcting_an_incident_records_old_and_new_values(cast, world, client_for):
    incident = IncidentFactory(case=world.case, victim=world.victim_party, severity=2)
    url = reverse("cases:incident_edit", args=[world.case.reference, incident.pk])
    client = client_for(cast.clinician)
    page = client.get(url).content.decode()
    assert incident.description in page
    response = client.post(
        url, form_data(precision="day", occurred_time="", severity="4", victim=str(world.victim_party.pk))
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.severity == 4
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.case").latest("sequence")
    assert event.changes[f"incident {incident.pk} severity"] == {"old": 2, "new": 4}


def test_the_timeline_is_paginated_newest_first(cast, world, client_for):
    today = timezone.localdate()
    for days in range(60):
        IncidentFactory(case=world.case, occurred_on=today - dt.timedelta(days=days), description=f"Entry {days:02d}")
    body = client_for(cast.clinician).get(reverse("cases:timeline", args=[world.case.reference])).content.decode()
    assert "Showing 1 to 50 of 60 incidents" in body
    assert body.index("Entry 00") < body.index("Entry 01")
    assert "Entry 55" not in body
    page2 = client_for(cast.clinician).get(reverse("cases:timeline", args=[world.case.reference]) + "?page=2")
    assert "Entry 55" in page2.content.decode()


# --- Export -------------------------------------------------------------------------------------


def test_the_timeline_exports_as_csv_in_the_import_columns_and_is_audited(cast, world, client_for):
    IncidentFactory(
        case=world.case,
        victim=world.victim_party,
        occurred_on=dt.date(2026, 5, 1),
        precision="month",
        description='=HYPERLINK("http://evil.example")',
    )
    IncidentFactory(
        case=world.case,
        victim=world.victim_party,
        occurred_on=dt.date(2026, 6, 2),
        precision="exact",
        occurred_time=dt.time(7, 5),
        behaviour="following",
        channel="in_person",
    )
    response = client_for(cast.clinician).get(reverse("cases:timeline_export", args=[world.case.reference]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(incident_table.COLUMNS)
    assert rows[1][:3] == ["05/2026", "", "Unwanted contact by text message"]
    assert rows[1][4] == "Vicky Named"
    assert rows[1][7].startswith("'=")  # a spreadsheet will not run it
    assert rows[2][:3] == ["02/06/2026", "07:05", "Following"]
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("sequence")
    assert event.object_label == world.case.reference and event.actor == cast.clinician


def test_an_exported_timeline_reads_back_in(cast, world, client_for):
    IncidentFactory(case=world.case, victim=world.victim_party, occurred_on=dt.date(2026, 5, 1), precision="month")
    IncidentFactory(
        case=world.case,
        victim=world.victim_party,
        occurred_on=dt.date(2026, 6, 2),
        precision="exact",
        occurred_time=dt.time(7, 5),
        behaviour="following",
        channel="in_person",
        severity=3,
    )
    exported = client_for(cast.clinician).get(reverse("cases:timeline_export", args=[world.case.reference])).content
    table = incident_table.read(
        exported.decode(), victims={"vicky named": world.victim_party}, today=timezone.localdate()
    )
    assert table.valid
    assert [r.fields["precision"] for r in table.rows] == ["month", "exact"]
    assert table.rows[1].fields["occurred_time"] == dt.time(7, 5)


# --- Bulk entry from a table --------------------------------------------------------------------

GOOD = """date,time,type,channel,victim,source,severity,description
03/11/2026,21:15,Loitering,In person,Vicky Named,Police,3,Outside her work
10/2026,,Unwanted contact by text message,Text message,,The victim,2,Dozens of texts in October
2026-11-05,,threats,text,vicky named,the victim,4,Said he would make her pay
"""
ONE_BAD = GOOD + "07/11/2026,,Shouting,In person,Vicky Named,Police,9,A row with one bad type and severity\n"


def post_table(client, case, text, confirm=False):
    data = {"table": text}
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("cases:incident_import", args=[case.reference]), data)


def test_a_good_table_is_previewed_then_added_on_confirmation(cast, world, client_for):
    client = client_for(cast.clinician)
    preview = post_table(client, world.case, GOOD)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert 'data-testid="preview"' in body and "Add 3 incidents" in body
    assert not Incident.objects.exists()
    response = post_table(client, world.case, GOOD, confirm=True)
    assert response.status_code == 302
    incidents = list(Incident.objects.order_by("occurred_on"))
    assert len(incidents) == 3
    assert incidents[0].precision == "month" and incidents[0].victim is None
    assert incidents[1].victim == world.victim_party and incidents[1].behaviour == "loitering"
    assert incidents[2].behaviour == "threats" and incidents[2].severity == 4
    event = AuditEvent.objects.filter(reason="Incidents added from a table").get()
    assert event.changes["incidents imported"]["new"]["count"] == 3


def test_a_table_with_one_bad_row_shows_why_and_adds_nothing(cast, world, client_for):
    client = client_for(cast.clinician)
    preview = post_table(client, world.case, ONE_BAD)
    assert preview.status_code == 400
    body = preview.content.decode()
    assert "Row 4: Type must be one of the behaviours" in body
    assert "Severity must be a number from 1 to 5" in body
    assert 'name="confirm"' not in body
    # Even if someone confirms anyway, nothing is added.
    response = post_table(client, world.case, ONE_BAD, confirm=True)
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_the_service_adds_all_or_nothing(cast, world):
    table = incident_table.read(GOOD, victims={"vicky named": world.victim_party}, today=timezone.localdate())
    rows = table.incident_fields()
    rows[1]["victim"] = world.case.parties.get(role="subject")  # not a victim of this case
    with pytest.raises(CaseRefused, match="Row 2"):
        records.incidents_import(case=world.case, rows=rows, by=cast.clinician)
    assert not Incident.objects.exists()


def test_a_table_can_be_uploaded_as_a_file(cast, world, client_for):
    upload = SimpleUploadedFile("incidents.csv", GOOD.encode("utf-8-sig"), content_type="text/csv")
    response = client_for(cast.clinician).post(
        reverse("cases:incident_import", args=[world.case.reference]), {"table": "", "file": upload}
    )
    assert response.status_code == 200
    assert "Add 3 incidents" in response.content.decode()


def test_a_table_without_the_columns_is_refused_with_the_columns_it_needs(cast, world, client_for):
    response = post_table(client_for(cast.clinician), world.case, "day,what\n1/1/2026,something\n")
    assert response.status_code == 400
    assert "Missing: date, type, channel, source, severity, description" in response.content.decode()


def test_an_empty_submission_asks_for_a_table(cast, world, client_for):
    response = post_table(client_for(cast.clinician), world.case, "")
    assert response.status_code == 400
    assert "Paste the table, or choose a CSV file" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/11/2026", (dt.date(2026, 11, 27), "day")),
        ("2026-11-27", (dt.date(2026, 11, 27), "day")),
        ("27 November 2026", (dt.date(2026, 11, 27), "day")),
        ("3 Mar 2026", (dt.date(2026, 3, 3), "day")),
        ("11/2026", (dt.date(2026, 11, 1), "month")),
        ("2026-11", (dt.date(2026, 11, 1), "month")),
        ("November 2026", (dt.date(2026, 11, 1), "month")),
    ],
)
def test_dates_in_a_table(text, expected):
    assert incident_table.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "yesterday", "2026", "13/2026"])
def test_bad_dates_in_a_table(text):
    with pytest.raises(ValueError):
        incident_table.parse_date(text)
