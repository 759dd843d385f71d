"""The dashboard page and its exports: who may use them, what they show, that exports parse and
match the page, that both are audited, and that the page's queries do not grow with the data."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html
from openpyxl import load_workbook

from casework.audit.models import AuditEvent
from casework.core.testing import assert_page_queries_flat, assert_queries_flat
from casework.insights import figures
from casework.insights.forms import default_period
from casework.insights.tests.builders import NOON, build_service, grow

pytestmark = pytest.mark.django_db

URL = reverse("insights:dashboard")
MARCH_TO_JUNE = {"from_month": "2026-03", "to_month": "2026-06"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def service(cast):
    return build_service(cast)


@pytest.fixture
def lead(cast, client_for):
    return client_for(cast.clinical_lead)


def _page_table(content: bytes, slug: str) -> list[list[str]]:
    tree = html.fromstring(content)
    table = tree.get_element_by_id(slug).find_class("nhsuk-table")[0]
    return [[cell.text_content().strip() for cell in row.xpath("./th|./td")] for row in table.iter("tr")]


def _as_text(cell) -> str:
    return "" if cell is None else str(cell)


def test_the_lead_sees_every_figure_as_a_chart_beside_a_table(lead, service):
    response = lead.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    tree = html.fromstring(response.content)
    for slug in figures.FIGURES:
        section = tree.get_element_by_id(slug)
        svg = section.xpath(".//svg")
        assert svg and svg[0].get("role") == "img", slug
        assert svg[0].xpath("./title") and svg[0].xpath("./desc"), slug
        assert svg[0].get("style") is None
        assert section.find_class("nhsuk-table"), slug
        assert f'href="{reverse("insights:export_csv", args=[slug])}?from_month=2025-07&amp;to_month=2026-06"' in page
    assert "Acceptance rate 66.7% (2 of 3)" in page
    assert "July 2025 to June 2026" in page


def test_the_page_names_no_client_or_victim(lead, service):
    page = lead.get(URL).content.decode()
    for name in ("Vee", service.a.subject_family_name, service.b.subject_family_name, service.c.subject_family_name):
        assert name not in page
    assert service.a.reference not in page


@pytest.mark.parametrize("role", ["coordinator", "clinician", "finance", "researcher", "sysadmin", "agency"])
def test_other_roles_are_refused(role, cast, client_for, service):
    client = client_for(cast.by_name(role))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("insights:export_csv", args=["decisions"])).status_code == 403
    assert client.get(reverse("insights:export_xlsx", args=["decisions"])).status_code == 403


def test_a_period_is_chosen_and_a_wrong_one_refused(lead, service):
    response = lead.get(URL, MARCH_TO_JUNE)
    assert response.status_code == 200
    assert "March 2026 to June 2026" in response.content.decode()
    refused = lead.get(URL, {"from_month": "2026-05", "to_month": "2026-03"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "The last month must be the same as or after the first month" in text
    assert 'value="2026-05" selected' in text  # what was chosen is kept
    assert lead.get(URL, {"from_month": "1999-01", "to_month": "2026-03"}).status_code == 400


def test_viewing_is_audited(lead, cast, service):
    lead.get(URL, MARCH_TO_JUNE)
    event = AuditEvent.objects.filter(object_type="insights.dashboard").latest("sequence")
    assert (event.action, event.actor_id) == ("view", cast.clinical_lead.pk)
    assert event.object_label == "service dashboards, March 2026 to June 2026"


@pytest.mark.parametrize("slug", list(figures.FIGURES))
def test_csv_export_parses_and_matches_the_page(slug, lead, cast, service):
    response = lead.get(reverse("insights:export_csv", args=[slug]), MARCH_TO_JUNE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"{slug}-2026-03-to-2026-06.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    page = lead.get(URL, MARCH_TO_JUNE).content
    table = _page_table(page, slug)
    assert rows[0] == table[0]
    assert [[cell or "—" for cell in row] for row in rows[1:]] == table[1:]
    event = AuditEvent.objects.filter(object_type="insights.dashboard", action="export").latest("sequence")
    assert event.changes["figure"] == slug
    assert event.reason == "Dashboard figure exported as CSV"


@pytest.mark.parametrize("slug", list(figures.FIGURES))
def test_xlsx_export_parses_and_matches_the_figure(slug, lead, cast, service):
    response = lead.get(reverse("insights:export_xlsx", args=[slug]), MARCH_TO_JUNE)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Figure"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    expected = figures.figure(cast.clinical_lead, slug, figures.Period(*_march_to_june()))
    assert rows[0] == expected.columns
    assert rows[1:] == expected.rows
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["Period"] == "March 2026 to June 2026"
    assert AuditEvent.objects.filter(object_type="insights.dashboard", action="export").exists()


def _march_to_june():
    import datetime as dt

    return dt.date(2026, 3, 1), dt.date(2026, 6, 1)


def test_export_of_an_unknown_figure_is_not_found(lead, service):
    assert lead.get(reverse("insights:export_csv", args=["no-such-figure"])).status_code == 404


def test_export_with_a_wrong_period_is_refused(lead, service):
    response = lead.get(
        reverse("insights:export_csv", args=["decisions"]), {"from_month": "2026-05", "to_month": "2026-03"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(object_type="insights.dashboard", action="export").exists()


def test_a_name_that_looks_like_a_formula_is_exported_as_text(lead, cast, service):
    cast.clinician.full_name = "=HYPERLINK(1)"
    cast.clinician.save(update_fields=["full_name"])
    rows = list(csv.reader(io.StringIO(lead.get(reverse("insights:export_csv", args=["caseload"])).content.decode())))
    assert ["'=HYPERLINK(1)", "2", "0", "2"] in rows
    book = load_workbook(io.BytesIO(lead.get(reverse("insights:export_xlsx", args=["caseload"])).content))
    assert "'=HYPERLINK(1)" in [row[0] for row in book["Figure"].iter_rows(values_only=True)]


def _fetch_cold(client):
    def fetch() -> None:
        cache.clear()
        assert client.get(URL).status_code == 200

    return fetch


def test_the_page_queries_do_not_grow_with_the_data(lead, cast, service):
    """With the figures computed (the cache emptied before each view)."""
    assert_queries_flat(_fetch_cold(lead), grow=lambda: grow(cast))


def test_the_page_queries_do_not_grow_with_the_data_when_the_figures_are_kept(lead, cast, service):
    """With the figures read from the cache (computed at the first view, kept for the second)."""
    kept = assert_page_queries_flat(lead, URL, grow=lambda: grow(cast))
    with CaptureQueriesContext(connection) as computed:
        _fetch_cold(lead)()
    assert kept < len(computed)


def test_kept_figures_are_shown_with_their_time_and_every_view_is_audited(lead, cast, service):
    views = AuditEvent.objects.filter(object_type="insights.dashboard", action="view")
    first = lead.get(URL)
    with time_machine.travel(NOON + dt.timedelta(minutes=2), tick=False):
        cast.clinician.full_name = "Renamed Meanwhile"
        cast.clinician.save(update_fields=["full_name"])
        second = lead.get(URL)
    assert views.count() == 2
    for response in (first, second):
        as_of = html.fromstring(response.content).find_class("nhsuk-body-s")[0].text_content()
        assert as_of.startswith("Figures as of 12:00"), as_of
        assert "at most every 5 minutes" in as_of
    assert b"Renamed Meanwhile" not in second.content  # kept, not computed again
    with time_machine.travel(NOON + dt.timedelta(minutes=6), tick=False):
        third = lead.get(URL)
    assert b"Renamed Meanwhile" in third.content
    assert b"Figures as of 12:06" in third.content
    assert views.count() == 3


def test_with_no_time_to_keep_them_the_figures_are_computed_on_every_view(lead, cast, service, settings):
    settings.CASEWORK_INSIGHTS_CACHE_SECONDS = 0
    lead.get(URL)
    cast.clinician.full_name = "Renamed Meanwhile"
    cast.clinician.save(update_fields=["full_name"])
    assert b"Renamed Meanwhile" in lead.get(URL).content


def test_a_cache_that_cannot_be_reached_does_not_stop_the_page(lead, service, monkeypatch):
    def down(*_args, **_kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(figures.cache, "get", down)
    monkeypatch.setattr(figures.cache, "set", down)
    response = lead.get(URL)
    assert response.status_code == 200
    assert b"Figures as of 12:00" in response.content


def test_an_export_queries_do_not_grow_with_the_data(lead, cast, service):
    assert_page_queries_flat(lead, reverse("insights:export_xlsx", args=["waiting-times"]), grow=lambda: grow(cast))


def test_the_lead_finds_the_dashboards_in_the_header_and_my_work(lead, cast, client_for):
    my_work = lead.get(reverse("core:my_work")).content.decode()
    assert my_work.count(f'href="{URL}"') == 2  # the header and the My work section
    assert "Service dashboards" in my_work
    clinician = client_for(cast.clinician).get(reverse("core:my_work")).content.decode()
    assert f'href="{URL}"' not in clinician


def test_the_default_period_is_the_last_twelve_months():
    period = default_period()
    assert (period.first.isoformat(), period.last.isoformat()) == ("2025-07-01", "2026-06-01")
