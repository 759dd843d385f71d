"""Each case's assessed risk is kept (``KeptRisk``; docs/adr/0027-kept-case-risk.md): My work and the
case list's risk filter read kept rows, and a kept risk is never shown once it is not current — an
incident or an order changed, the day moved on, the rule changed — whoever made the change."""

from __future__ import annotations

import datetime as dt
import random

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casework.cases import queries, risk
from casework.cases.choices import Behaviour, Channel
from casework.cases.models import Case, Incident, KeptRisk
from casework.cases.services import kept
from casework.cases.services.records import incident_add, incident_update, incidents_import, order_add, order_update
from casework.cases.tests.factories import IncidentFactory, OrderFactory
from casework.cases.tests.test_my_work_risk import days_ago, make_breach, make_escalating, my_work, new_case
from casework.cases.tests.test_my_work_scale import _case_with_victims, _random_incidents


def lead_sees(client, case) -> bool:
    body = my_work(client)
    section = body.split("Escalating cases and likely breaches", 1)[1].split("</section>", 1)[0]
    return case.reference in section


def incident_fields(**fields):
    values = {
        "occurred_on": days_ago(2),
        "behaviour": Behaviour.TEXT,
        "channel": Channel.TEXT,
        "severity": 2,
        "source": "victim",
        "description": "Synthetic.",
    }
    return {**values, **fields}


def no_contact_order(world, cast):
    """A no-contact order protecting the world's victim, recorded through the service."""
    fields = {"kind": "restraining", "starts_on": days_ago(30), "no_contact": True}
    return order_add(case=world.case, by=cast.clinician, protects=[world.victim_party], **fields)


def test_my_work_keeps_what_it_assessed_and_reads_it_back(cast, world, client_for):
    escalating = new_case(cast, cast.other_clinician)
    make_escalating(escalating)
    lead = client_for(cast.clinical_lead)
    assert lead_sees(lead, escalating)
    row = KeptRisk.objects.get(case=escalating)
    assert row.flagged and row.assessed_on == timezone.localdate() and row.rule == risk.RULE
    assert any(reason.startswith("Rising severity") for reason in row.reasons)
    assert KeptRisk.objects.get(case=world.case).flagged is False
    # Read back, not assessed again: nothing is written the second time.
    assessed_at = row.assessed_at
    assert lead_sees(lead, escalating)
    assert KeptRisk.objects.get(case=escalating).assessed_at == assessed_at


def test_an_incident_recorded_through_the_service_makes_the_kept_risk_stale(cast, world, client_for):
    lead = client_for(cast.clinical_lead)
    assert not lead_sees(lead, world.case)
    victim = world.victim_party
    no_contact_order(world, cast)
    assert not lead_sees(lead, world.case)  # an order alone breaches nothing
    incident_add(case=world.case, by=cast.clinician, **incident_fields(victim=victim))
    assert lead_sees(lead, world.case)  # a text to the person the order protects: a likely breach


def test_editing_an_incident_or_an_order_makes_the_kept_risk_stale(cast, world, client_for):
    lead = client_for(cast.clinical_lead)
    victim = world.victim_party
    order = no_contact_order(world, cast)
    incident = incident_add(case=world.case, by=cast.clinician, **incident_fields(victim=victim))
    assert lead_sees(lead, world.case)
    # The order no longer protects that person: no breach.
    order_update(
        order=order, by=cast.clinician, kind="restraining", starts_on=days_ago(30), no_contact=True, protects=[]
    )
    assert not lead_sees(lead, world.case)
    order_update(
        order=order, by=cast.clinician, kind="restraining", starts_on=days_ago(30), no_contact=True, protects=[victim]
    )
    assert lead_sees(lead, world.case)
    # The incident moved back a year: nothing recent.
    incident_update(incident=incident, by=cast.clinician, **incident_fields(victim=victim, occurred_on=days_ago(400)))
    assert not lead_sees(lead, world.case)


def test_incidents_added_from_a_table_make_the_kept_risk_stale(cast, world, client_for):
    lead = client_for(cast.clinical_lead)
    assert not lead_sees(lead, world.case)
    rows = [
        incident_fields(occurred_on=days_ago(120), severity=1),
        incident_fields(occurred_on=days_ago(3), severity=4),
    ]
    incidents_import(case=world.case, rows=rows, by=cast.clinician)
    assert lead_sees(lead, world.case)  # rising severity


def test_a_change_made_outside_the_services_makes_the_kept_risk_stale_too(cast, world, client_for):
    """Model signals, not each writer: a factory (or a data fix in the shell) is caught as well."""
    lead = client_for(cast.clinical_lead)
    assert not lead_sees(lead, world.case)
    version = Case.objects.get(pk=world.case.pk).risk_version
    make_breach(world.case)
    assert Case.objects.get(pk=world.case.pk).risk_version > version
    assert lead_sees(lead, world.case)
    # Deleting the incident, and the order's protected parties cleared from the party's side.
    Incident.objects.filter(case=world.case).last().delete()
    assert not lead_sees(lead, world.case)
    make_breach(world.case)
    assert lead_sees(lead, world.case)
    world.victim_party.protecting_orders.clear()
    assert not lead_sees(lead, world.case)


def test_a_kept_risk_of_another_day_is_assessed_again(cast, world, client_for):
    """The rule reads windows counted back from today: yesterday's result is not today's."""
    make_escalating(world.case)
    lead = client_for(cast.clinical_lead)
    assert lead_sees(lead, world.case)
    KeptRisk.objects.filter(case=world.case).update(assessed_on=days_ago(1), flagged=False, reasons=[])
    assert lead_sees(lead, world.case)
    assert KeptRisk.objects.get(case=world.case).assessed_on == timezone.localdate()


def test_a_kept_risk_from_another_version_of_the_rule_is_assessed_again(cast, world, client_for):
    make_escalating(world.case)
    lead = client_for(cast.clinical_lead)
    assert lead_sees(lead, world.case)
    KeptRisk.objects.filter(case=world.case).update(rule="0123456789abcdef", flagged=False, reasons=[])
    assert lead_sees(lead, world.case)
    assert KeptRisk.objects.get(case=world.case).rule == risk.RULE


def test_a_risk_assessed_from_data_older_than_its_version_is_not_taken_as_current(cast, world):
    """The version is read before the incidents: an assessment that raced a change keeps the older
    version, so it is assessed again next time instead of hiding the change."""
    cases = Case.objects.filter(pk=world.case.pk)
    version = Case.objects.get(pk=world.case.pk).risk_version
    before = queries.case_risks(cases)
    make_escalating(world.case)  # the change lands after the version was read
    kept.keep(before, {world.case.pk: version}, timezone.localdate())
    assert [r.escalating for r in queries.kept_case_risks(cases)] == [True]


def test_kept_risks_give_what_assessing_gives_over_generated_cases(cast, world):
    rng = random.Random(27)
    cases = [_case_with_victims(cast, victims) for victims in (1, 2, 3, 1)]
    for case in cases:
        Incident.objects.bulk_create(_random_incidents(rng, case, cast.clinician, rng.randint(5, 60)))
        victims = list(case.parties.filter(role="victim"))
        OrderFactory(case=case, protects=victims[:1], starts_on=days_ago(300), no_contact=True)
    active = Case.objects.filter(pk__in=[c.pk for c in [*cases, world.case]])
    for back in (0, 7, 30, 60, 90, 200):
        day = timezone.localdate() - dt.timedelta(days=back)
        assessed = queries.case_risks(active, day)
        assert queries.kept_case_risks(active, day) == assessed, day
        assert queries.kept_case_risks(active, day, flagged_only=True) == [r for r in assessed if r.flagged], day


def test_the_nightly_command_keeps_every_open_case_and_drops_closed_ones(cast, world, capsys):
    escalating = new_case(cast, cast.other_clinician)
    make_escalating(escalating)
    closed = new_case(cast, cast.clinician)
    KeptRisk.objects.create(
        case=closed, assessed_on=days_ago(3), version=0, rule="x", flagged=True, assessed_at=timezone.now()
    )
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=timezone.localdate(), closure_reason="other")
    call_command("assess_case_risks", chunk=1)
    assert "Assessed and kept the risk of 2 open and on-hold cases." in capsys.readouterr().out
    kept_rows = {r.case_id: r for r in KeptRisk.objects.all()}
    assert set(kept_rows) == {world.case.pk, escalating.pk}
    assert kept_rows[escalating.pk].flagged and not kept_rows[world.case.pk].flagged
    assert all(r.assessed_on == timezone.localdate() and r.rule == risk.RULE for r in kept_rows.values())


def test_after_the_nightly_run_my_work_reads_no_incident(cast, world, client_for, monkeypatch):
    make_escalating(world.case)
    call_command("assess_case_risks")
    read = []
    monkeypatch.setattr(queries, "case_risks", lambda *a, **k: read.append(a) or [])
    assert lead_sees(client_for(cast.clinical_lead), world.case)
    assert world.case.reference in my_work(client_for(cast.clinician))
    assert read == []


def test_the_case_list_risk_filter_reads_kept_risks(cast, world, client_for):
    escalating = new_case(cast, cast.clinician)
    make_escalating(escalating)
    lead = client_for(cast.clinical_lead)
    url = reverse("cases:list")
    assert escalating.reference in lead.get(url, {"risk": "on"}).content.decode()
    IncidentFactory(case=world.case, occurred_on=days_ago(130), severity=1)
    IncidentFactory(case=world.case, occurred_on=days_ago(1), severity=5)
    body = lead.get(url, {"risk": "on"}).content.decode()
    assert escalating.reference in body and world.case.reference in body
