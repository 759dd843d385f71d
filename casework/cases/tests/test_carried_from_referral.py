"""What a case carries from its referrals (issue 11, item 2): orders in force, hearings, the services
accepted with the report due date, and the referring officer, each marked with the referral, and
the "Work owed" summary on the case page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory
from casework.audit.models import Action, AuditEvent
from casework.cases import escalation, queries
from casework.cases.choices import REFERRAL_ORDER_KINDS, HearingKind, OfficerRole, OrderKind
from casework.cases.models import AgencyOfficer, CaseService, Hearing, InvolvedAgency, LegalOrder
from casework.cases.services.opening import case_add_referral, case_open
from casework.cases.tests.factories import ready_referral
from casework.organisations.models import OrganisationKind
from casework.people.tests.factories import create_person
from casework.referrals.choices import LegalStatus, Order, Service

TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def police(db):
    return OrganisationFactory(name="Carryshire Police", kind=OrganisationKind.POLICE_FORCE)


@pytest.fixture
def subject(cast):
    return create_person(by=cast.coordinator, given_name="Carrie", family_name="Across")


def _referral(cast, subject, police, **fields):
    defaults = {
        "orders_in_force": [Order.RESTRAINING_ORDER.value, Order.STALKING_PROTECTION_ORDER.value],
        "next_hearing_on": days(10),
        "report_due_on": days(5),
        "legal_status": LegalStatus.CONVICTED,
        "accepted_services": [Service.STALKER_ASSESSMENT.value, Service.REPORT_SENTENCING.value],
        "referring_organisation": police,
        "referrer_name": "DS Pat Officer",
        "referrer_job_title": "Detective Sergeant",
        "referrer_email": "pat.officer@police.example.org",
        "referrer_phone": "01632 960111",
    }
    return ready_referral(
        subject=subject, lead_clinician=cast.clinician, coordinator=cast.coordinator, **{**defaults, **fields}
    )


@pytest.fixture
def opened(cast, subject, police):
    referral = _referral(cast, subject, police)
    case = case_open(referral=referral, kind="perpetrator", lead_clinician=cast.clinician, by=cast.clinical_lead)
    return case, referral


def test_opening_a_case_carries_the_referrals_orders_hearing_services_and_officer(opened):
    case, referral = opened
    orders = LegalOrder.objects.filter(case=case)
    assert sorted(orders.values_list("kind", flat=True)) == sorted([OrderKind.RESTRAINING, OrderKind.SPO_FULL])
    assert all(o.source_referral_id == referral.pk and o.starts_on is None and o.issued_by == "" for o in orders)
    hearing = Hearing.objects.get(case=case)
    assert (hearing.kind, hearing.hearing_on, hearing.source_referral_id) == (
        HearingKind.SENTENCING,
        days(10),
        referral.pk,
    )
    owed = {s.service: s for s in CaseService.objects.filter(case=case)}
    assert set(owed) == {Service.STALKER_ASSESSMENT, Service.REPORT_SENTENCING}
    assert owed[Service.REPORT_SENTENCING].due_on == days(5)
    assert owed[Service.STALKER_ASSESSMENT].due_on is None
    assert all(s.source_referral_id == referral.pk for s in owed.values())
    officer = AgencyOfficer.objects.select_related("agency").get(agency__case=case)
    assert (officer.name, officer.job_title, officer.email, officer.phone, officer.role) == (
        "DS Pat Officer",
        "Detective Sergeant",
        "pat.officer@police.example.org",
        "01632 960111",
        OfficerRole.POLICE_OFFICER,
    )
    assert officer.source_referral_id == referral.pk
    assert officer.agency.organisation == referral.referring_organisation


def test_the_carried_records_are_in_the_opening_audit_event(opened):
    case, referral = opened
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="cases.case", object_label=case.reference)
    order = LegalOrder.objects.filter(case=case).first()
    officer = AgencyOfficer.objects.get(agency__case=case)
    assert event.changes[f"order {order.pk}"]["new"]["source_referral_id"] == referral.pk
    assert event.changes[f"officer {officer.pk}"]["new"]["role"] == OfficerRole.POLICE_OFFICER
    assert any(key.startswith("service ") for key in event.changes)
    assert any(key.startswith("hearing ") for key in event.changes)


def test_a_parole_hearing_is_carried_as_a_parole_hearing(cast, subject, police):
    referral = _referral(
        cast,
        subject,
        police,
        next_hearing_on=None,
        parole_hearing_on=days(40),
        accepted_services=[Service.REPORT_PAROLE.value],
        report_due_on=days(20),
    )
    case = case_open(referral=referral, kind="perpetrator", lead_clinician=cast.clinician, by=cast.clinical_lead)
    assert list(case.hearings.values_list("kind", "hearing_on")) == [(HearingKind.PAROLE, days(40))]
    assert list(case.services.values_list("service", "due_on")) == [(Service.REPORT_PAROLE, days(20))]


def test_every_referral_order_has_a_kind_of_case_order():
    assert set(REFERRAL_ORDER_KINDS) == set(Order.values)


def test_an_order_the_case_cannot_record_is_not_carried_and_is_named_in_the_audit(cast, subject, police):
    referral = _referral(cast, subject, police, orders_in_force=["restraining", "curfew_of_the_moon"])
    case = case_open(referral=referral, kind="perpetrator", lead_clinician=cast.clinician, by=cast.clinical_lead)
    assert list(case.orders.values_list("kind", flat=True)) == [OrderKind.RESTRAINING]
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="cases.case", object_label=case.reference)
    assert event.changes["orders not carried"]["new"] == ["curfew_of_the_moon"]


def test_adding_a_second_referral_carries_its_items_without_duplicating(cast, subject, police, opened):
    case, first = opened
    second = _referral(
        cast,
        subject,
        police,
        orders_in_force=[Order.RESTRAINING_ORDER.value, Order.LICENCE_CONDITIONS.value],
        next_hearing_on=days(10),
        report_due_on=days(30),
        accepted_services=[Service.STALKER_ASSESSMENT.value, Service.REPORT_MAPPA.value],
    )
    case_add_referral(case=case, referral=second, by=cast.clinical_lead)
    orders = list(case.orders.values_list("kind", "source_referral_id"))
    assert sorted(orders) == sorted(
        [(OrderKind.RESTRAINING, first.pk), (OrderKind.SPO_FULL, first.pk), (OrderKind.LICENCE_CONDITIONS, second.pk)]
    )
    # The same hearing (a court hearing on the same day) is held once.
    assert case.hearings.count() == 1
    services = sorted(
        case.services.values_list("service", "due_on", "source_referral_id"), key=lambda row: (row[0], row[2])
    )
    assert services == [
        (Service.REPORT_MAPPA, days(30), second.pk),
        (Service.REPORT_SENTENCING, days(5), first.pk),
        (Service.STALKER_ASSESSMENT, None, first.pk),
    ]
    # The same officer of the same agency is held once; the agency once.
    assert InvolvedAgency.objects.filter(case=case).count() == 1
    assert AgencyOfficer.objects.filter(agency__case=case).count() == 1
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.case").latest("id")
    assert event.changes["referrals"]["new"] == second.reference
    assert any(key.startswith("order ") for key in event.changes)


def test_a_second_referral_from_another_officer_adds_that_officer(cast, subject, police, opened):
    case, _ = opened
    second = _referral(
        cast,
        subject,
        police,
        referrer_name="PC Lee Other",
        orders_in_force=[],
        next_hearing_on=None,
        accepted_services=[],
    )
    case_add_referral(case=case, referral=second, by=cast.clinical_lead)
    officers = AgencyOfficer.objects.filter(agency__case=case)
    assert sorted(officers.values_list("name", "source_referral_id")) == [
        ("DS Pat Officer", opened[1].pk),
        ("PC Lee Other", second.pk),
    ]


def test_a_carried_order_without_a_start_date_counts_from_the_referrals_receipt(opened):
    case, referral = opened
    order = queries.orders_of(case)[0]
    received = timezone.localdate(referral.received_at)
    assert order.known_from == received
    assert order.in_force_on(TODAY) and not order.in_force_on(received - dt.timedelta(days=1))
    assert escalation.order_spans([order])[0].starts_on == received


def test_the_case_page_shows_work_owed_and_where_each_item_came_from(cast, client_for, opened):
    case, referral = opened
    body = client_for(cast.clinician).get(reverse("cases:detail", args=[case.reference])).content.decode()
    owed = body[body.index('data-testid="work-owed"') : body.index('id="summary"')]
    assert "Report for sentencing" in owed and f"By {_gb(days(5))}" in owed
    assert "Sentencing hearing" in owed and f"Hearing on {_gb(days(10))}" in owed
    assert "Assessment of the person who stalks" in owed and "No date set" in owed
    assert f"From referral {referral.reference}" in owed
    assert "Overdue" not in owed
    # Beside the carried order, hearing and officer too.
    assert body.count(f"From referral {referral.reference}") >= 3 + 3
    assert "Start date not yet recorded" in body
    assert "DS Pat Officer" in body


def test_the_coordinator_sees_work_owed_too(cast, client_for, opened):
    case, _ = opened
    body = client_for(cast.coordinator).get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "Work owed" in body and "Report for sentencing" in body


def test_work_past_its_due_date_is_flagged_overdue(cast, client_for, subject, police):
    referral = _referral(cast, subject, police, report_due_on=days(-3), next_hearing_on=days(-1))
    case = case_open(referral=referral, kind="perpetrator", lead_clinician=cast.clinician, by=cast.clinical_lead)
    rows = queries.case_page(cast.clinician, case).work_owed(TODAY)
    assert [(r.text, r.overdue) for r in rows] == [
        ("Report for sentencing", True),
        ("Assessment of the person who stalks", False),
    ]  # the past hearing is not owed
    body = client_for(cast.clinician).get(reverse("cases:detail", args=[case.reference])).content.decode()
    owed = body[body.index('data-testid="work-owed"') : body.index('id="summary"')]
    assert "Overdue" in owed


def test_the_work_owed_costs_no_query_per_row(cast, client_for, subject, police, opened):
    case, _ = opened
    client = client_for(cast.clinician)
    url = reverse("cases:detail", args=[case.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(3):
        more = _referral(
            cast,
            subject,
            police,
            referrer_name=f"PC Number {n}",
            next_hearing_on=days(20 + n),
            report_due_on=days(40 + n),
            accepted_services=[Service.REPORT_MAPPA.value, Service.REPORT_POLICE.value],
            orders_in_force=[Order.BAIL_CONDITIONS.value],
        )
        case_add_referral(case=case, referral=more, by=cast.clinical_lead)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def _gb(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
