"""The case page: what it shows to whom, that reading it is audited, that its query count does not
grow with the timeline, and the accessible chart."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import Action, AuditEvent
from casework.cases import charts, escalation
from casework.cases.choices import Behaviour
from casework.cases.models import Incident, MappaRegistration
from casework.cases.tests.factories import HearingFactory, IncidentFactory, OrderFactory
from casework.core.testing import assert_queries_flat


def page(client, case):
    return client.get(reverse("cases:detail", args=[case.reference]))


def test_the_clinician_reads_the_whole_case(cast, world, client_for):
    IncidentFactory(case=world.case, victim=world.victim_party, description="Waited outside her flat all night")
    OrderFactory(case=world.case, protects=[world.victim_party])
    body = page(client_for(cast.clinician), world.case).content.decode()
    for text in (
        "Stan Perpetrator",
        "Vicky Named",
        "Former partner",
        "Not yet assessed",
        "No assessment yet",
        "Restraining order",
        "Not managed under MAPPA",
        "Waited outside her flat all night",
        'data-testid="escalation-chart"',
        "Clare Clinician (lead clinician)",
        "Opened",
    ):
        assert text in body, text


def test_the_coordinator_sees_the_administration_and_no_clinical_content(cast, world, client_for):
    IncidentFactory(case=world.case, victim=world.victim_party, description="Waited outside her flat all night")
    OrderFactory(case=world.case, protects=[world.victim_party], issued_by="Northshire Crown Court")
    HearingFactory(case=world.case, venue="Westvale Crown Court")
    MappaRegistration.objects.create(
        case=world.case, category=1, level=3, updated_at=timezone.now(), updated_by=cast.clinical_lead
    )
    body = page(client_for(cast.coordinator), world.case).content.decode()
    assert "Westvale Crown Court" in body and "Clare Clinician" in body and "Stan Perpetrator" in body
    for text in (
        "Waited outside her flat all night",
        "escalation-chart",
        "Northshire Crown Court",
        "Vicky Named",
        "Former partner",
        "Category 1",
        "Stalker type",
        "Add an incident",
    ):
        assert text not in body, text
    assert "Its clinical content is for the clinicians" in body


def test_reading_the_case_is_audited_against_its_reference(cast, world, client_for):
    page(client_for(cast.clinician), world.case)
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="cases.case").latest("sequence")
    assert event.actor == cast.clinician
    assert event.object_label == world.case.reference
    assert "Stan" not in event.object_label


def test_a_stalker_type_from_an_assessment_is_shown(cast, world, client_for):
    world.case.stalker_type = "rejected"
    world.case.save()
    assert "Rejected" in page(client_for(cast.clinician), world.case).content.decode()


def test_the_escalating_case_shows_its_reasons(cast, world, client_for):
    today = timezone.localdate()
    for days, behaviour, severity in ((120, "text", 1), (90, "threats", 3), (5, "violence", 5)):
        IncidentFactory(
            case=world.case,
            victim=world.victim_party,
            occurred_on=today - dt.timedelta(days=days),
            behaviour=behaviour,
            channel="in_person" if behaviour == "violence" else "text",
            severity=severity,
        )
    body = page(client_for(cast.clinician), world.case).content.decode()
    assert 'data-testid="escalating-tag"' in body
    assert "From threats to violence" in body


def _many_incidents(world, count: int) -> None:
    today = timezone.localdate()
    behaviours = list(Behaviour)
    Incident.objects.bulk_create(
        Incident(
            case=world.case,
            victim=world.victim_party,
            occurred_on=today - dt.timedelta(days=i % 900),
            behaviour=behaviours[i % len(behaviours)],
            channel="text",
            source="victim",
            severity=i % 5 + 1,
            description=f"Incident {i}",
            recorded_by=world.case.opened_by,
            recorded_at=timezone.now(),
        )
        for i in range(count)
    )


@pytest.mark.parametrize("user_name", ["clinician", "coordinator"])
def test_the_number_of_queries_does_not_grow_with_the_timeline(user_name, cast, world, client_for):
    client = client_for(getattr(cast, user_name))
    OrderFactory(case=world.case, protects=[world.victim_party])
    _many_incidents(world, 10)
    assert_queries_flat(lambda: page(client, world.case), grow=lambda: _many_incidents(world, 990))
    assert page(client, world.case).status_code == 200


def test_query_count_is_the_same_at_10_and_1000_incidents(cast, world, client_for):
    client = client_for(cast.clinician)
    _many_incidents(world, 10)
    assert_queries_flat(lambda: page(client, world.case), grow=lambda: _many_incidents(world, 990))
    assert world.case.incidents.count() == 1000
    body = page(client, world.case).content.decode()
    # The chart counts every incident; the list shows the latest ten.
    assert "1000 incidents between" in body
    assert body.count("Incident 9") < 20


# --- The chart ----------------------------------------------------------------------------------


def _escalation():
    today = dt.date(2026, 11, 27)
    points = [
        escalation.Point(today - dt.timedelta(days=d), s, b, "text", 1)
        for d, s, b in ((100, 1, "text"), (60, 2, "email"), (3, 4, "threats"), (2, 3, "text"))
    ]
    return escalation.assess(points, [], today)


def test_the_chart_is_an_accessible_image_with_a_title_and_description():
    svg = str(charts.escalation_svg(_escalation()))
    assert re.search(r'<svg [^>]*role="img"', svg)
    assert 'aria-labelledby="escalation-title escalation-desc"' in svg
    assert '<title id="escalation-title">' in svg
    description = re.search(r'<desc id="escalation-desc">(.*?)</desc>', svg).group(1)
    assert "4 incidents between" in description and "highest severity was 4" in description


def test_the_chart_needs_no_script_or_inline_style():
    svg = str(charts.escalation_svg(_escalation()))
    assert "<script" not in svg and "style=" not in svg and "javascript:" not in svg


def test_the_chart_draws_a_bar_per_busy_period_and_a_marker_per_new_behaviour():
    esc = _escalation()
    svg = str(charts.escalation_svg(esc))
    assert svg.count("<rect ") == sum(1 for w in esc.windows if w.count)
    assert svg.count("First time:") == sum(1 for w in esc.windows if w.new_behaviours)


def test_an_empty_timeline_says_so():
    svg = str(charts.escalation_svg(escalation.assess([], [], dt.date(2026, 11, 27))))
    assert "No incidents recorded yet" in svg
    assert 'role="img"' in svg


def test_the_page_has_the_chart_data_as_a_table(cast, world, client_for):
    IncidentFactory(case=world.case, victim=world.victim_party)
    body = page(client_for(cast.clinician), world.case).content.decode()
    assert 'data-testid="escalation-table"' in body
    assert "The chart&#39;s figures as a table" in body or "The chart's figures as a table" in body


def test_a_team_member_downloads_a_referral_document_from_the_case_and_it_is_audited(cast, world, client_for):
    from casework.referrals.tests.factories import ReferralDocumentFactory

    document = ReferralDocumentFactory(referral=world.referral, original_name="police-summary.pdf")
    body = page(client_for(cast.clinician), world.case).content.decode()
    url = reverse("cases:document_download", args=[world.case.reference, document.pk])
    assert url in body and "police-summary.pdf" in body
    response = client_for(cast.clinician).get(url)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=cast.clinician).exists()
    # A document of a referral outside the case is not there.
    other = ReferralDocumentFactory()
    assert (
        client_for(cast.clinician)
        .get(reverse("cases:document_download", args=[world.case.reference, other.pk]))
        .status_code
        == 404
    )


def test_a_break_glass_holder_sees_the_banner_and_no_actions(cast, world, client_for):
    from casework.access.breakglass import open_grant as break_glass_open

    break_glass_open(user=cast.other_clinician, obj=world.case, reason="Covering the on-call rota for the team tonight")
    body = page(client_for(cast.other_clinician), world.case).content.decode()
    assert 'data-testid="break-glass-banner"' in body
    assert "There is nothing for you to change in this case" in body
