"""Billable events are raised from completed work, priced from the accepted quote or else the
tariff, once per source; finance approves them or writes them off with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.billing.choices import BillableService, EventSource, EventStatus, PriceSource
from casework.billing.models import BillableEvent
from casework.billing.services import events
from casework.billing.services._shared import BillingRefused
from casework.billing.tests import helpers
from casework.billing.tests.invoice_helpers import accepted_quote, billed_case, past_appointment
from casework.core import completions
from casework.treatment.services import diary

pytestmark = pytest.mark.django_db


def _events(case):
    return list(BillableEvent.objects.filter(case=case).order_by("id"))


def test_an_attended_session_raises_one_event_at_the_accepted_quotes_price(cast):
    case = billed_case(cast)
    agreement = helpers.contract(cast.finance, cast.organisation)
    quote = accepted_quote(cast, case, agreement)
    helpers.tariff(cast.finance, BillableService.TREATMENT_SESSION, "999.00", days_ago=1)  # a later price
    appointment = past_appointment(cast, case)
    diary.attendance_record(appointment=appointment, attendance="attended", by=cast.clinician)
    (event,) = _events(case)
    assert event.source_kind == EventSource.APPOINTMENT and event.source_id == appointment.pk
    assert event.service == BillableService.TREATMENT_SESSION
    assert event.price_source == PriceSource.QUOTE and event.unit_price == Decimal("150.00")
    assert event.quote == quote and event.contract == agreement and event.organisation == cast.organisation
    assert event.status == EventStatus.PENDING
    assert event.occurred_on == timezone.localdate(appointment.starts_at)
    # Recording the attendance again (a correction) raises nothing more.
    diary.attendance_record(appointment=appointment, attendance="late", by=cast.clinician)
    assert len(_events(case)) == 1


def test_without_a_quote_the_tariff_in_force_on_the_day_of_the_work_prices_it(cast):
    case = billed_case(cast)
    agreement = helpers.contract(cast.finance, cast.organisation)
    helpers.tariff(cast.finance, BillableService.NON_ATTENDANCE_FEE, "80.00", days_ago=100, effective_to=None)
    appointment = past_appointment(cast, case, days_ago=3)
    diary.attendance_record(appointment=appointment, attendance="dna", reason="Did not come", by=cast.clinician)
    (event,) = _events(case)
    assert event.service == BillableService.NON_ATTENDANCE_FEE
    assert event.price_source == PriceSource.TARIFF and event.net_amount == Decimal("80.00")
    assert event.contract == agreement and event.quote is None


def test_without_a_quote_the_contracts_own_price_wins_over_the_clinics(cast):
    import datetime as dt

    from casework.billing.services import contracts

    case = billed_case(cast)
    agreement = helpers.contract(cast.finance, cast.organisation)
    helpers.tariff(cast.finance, BillableService.NON_ATTENDANCE_FEE, "80.00", days_ago=100, effective_to=None)
    contracts.tariff_create(
        by=cast.finance,
        values={
            "service": BillableService.NON_ATTENDANCE_FEE,
            "contract": agreement,
            "price": Decimal("65.00"),
            "vat_treatment": "exempt",
            "effective_from": timezone.localdate() - dt.timedelta(days=50),
            "effective_to": None,
        },
    )
    appointment = past_appointment(cast, case, days_ago=3)
    diary.attendance_record(appointment=appointment, attendance="dna", reason="Did not come", by=cast.clinician)
    (event,) = _events(case)
    assert event.price_source == PriceSource.TARIFF and event.net_amount == Decimal("65.00")
    assert event.tariff.contract == agreement


def test_late_cancellation_by_the_client_is_charged_and_an_acceptable_one_is_not(cast):
    case = billed_case(cast)
    helpers.contract(cast.finance, cast.organisation)
    helpers.tariff(cast.finance, BillableService.CANCELLATION_FEE, "60.00")
    charged = past_appointment(cast, case, days_ago=1)
    diary.attendance_record(
        appointment=charged,
        attendance="cancelled_client",
        reason="Overslept",
        reason_acceptable=False,
        by=cast.clinician,
    )
    excused = past_appointment(cast, case, days_ago=4)
    diary.attendance_record(
        appointment=excused,
        attendance="cancelled_client",
        reason="In hospital",
        reason_acceptable=True,
        by=cast.clinician,
    )
    by_clinic = past_appointment(cast, case, days_ago=5)
    diary.attendance_record(appointment=by_clinic, attendance="cancelled_clinic", reason="Illness", by=cast.clinician)
    assert [(e.source_id, e.service) for e in _events(case)] == [(charged.pk, BillableService.CANCELLATION_FEE)]


def test_a_signed_assessment_raises_an_event_for_its_setting(cast):
    from casework.assessments.tests.factories import signed

    case = billed_case(cast)
    helpers.contract(cast.finance, cast.organisation)
    helpers.tariff(cast.finance, BillableService.ASSESSMENT_COMMUNITY, "1200.00")
    assessment = signed(case, cast.clinician, cast.clinical_lead)
    (event,) = _events(case)
    assert event.source_kind == EventSource.ASSESSMENT and event.source_id == assessment.pk
    assert event.service == BillableService(f"assessment_{assessment.setting}")


def test_without_a_price_the_event_is_raised_and_cannot_be_approved(cast):
    case = billed_case(cast)
    helpers.contract(cast.finance, cast.organisation)
    diary.attendance_record(appointment=past_appointment(cast, case), attendance="attended", by=cast.clinician)
    (event,) = _events(case)
    assert event.price_source == PriceSource.NONE
    with pytest.raises(BillingRefused, match="no price"):
        events.event_approve(event=event, by=cast.finance)


def test_the_database_refuses_a_second_event_for_the_same_source(cast):
    case = billed_case(cast)
    helpers.contract(cast.finance, cast.organisation)
    helpers.tariff(cast.finance, BillableService.TREATMENT_SESSION, "150.00")
    appointment = past_appointment(cast, case)
    event = events.event_raise(completions.ATTENDANCE_RECORDED, _attended(appointment), by=cast.clinician)
    assert events.event_raise(completions.ATTENDANCE_RECORDED, appointment, by=cast.clinician) is None
    event.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def _attended(appointment):
    appointment.attendance = "attended"
    appointment.save()
    return appointment


def test_a_failing_receiver_never_undoes_the_clinical_work(cast, monkeypatch):
    case = billed_case(cast)
    appointment = past_appointment(cast, case)

    def broken(*args, **kwargs):
        raise RuntimeError("billing is broken")

    monkeypatch.setattr(completions, "_receivers", [broken])
    diary.attendance_record(appointment=appointment, attendance="attended", by=cast.clinician)
    appointment.refresh_from_db()
    assert appointment.attendance == "attended"
    assert _events(case) == []


def test_finance_approves_or_writes_off_with_a_reason_and_nobody_else_may(cast):
    case = billed_case(cast)
    helpers.contract(cast.finance, cast.organisation)
    helpers.tariff(cast.finance, BillableService.TREATMENT_SESSION, "150.00")
    for days in (2, 3):
        diary.attendance_record(
            appointment=past_appointment(cast, case, days_ago=days), attendance="attended", by=cast.clinician
        )
    first, second = _events(case)
    with pytest.raises(PermissionDenied):
        events.event_approve(event=first, by=cast.clinician)
    assert events.event_approve(event=first, by=cast.finance).status == EventStatus.APPROVED
    with pytest.raises(BillingRefused, match="why"):
        events.event_write_off(event=second, by=cast.finance, reason=" ")
    written_off = events.event_write_off(event=second, by=cast.finance, reason="Session repeated at no charge")
    assert written_off.status == EventStatus.WRITTEN_OFF and written_off.reviewed_by == cast.finance
    with pytest.raises(PermissionDenied):  # no longer reviewable
        events.event_approve(event=written_off, by=cast.finance)


def test_an_event_raised_before_its_contract_and_price_existed_is_priced_again_by_finance(cast):
    case = billed_case(cast)
    diary.attendance_record(appointment=past_appointment(cast, case), attendance="attended", by=cast.clinician)
    (event,) = _events(case)
    assert event.contract is None and event.price_source == PriceSource.NONE
    agreement = helpers.contract(cast.finance, cast.organisation)
    helpers.tariff(cast.finance, BillableService.TREATMENT_SESSION, "145.00")
    event = events.event_reprice(event=event, by=cast.finance)
    assert event.contract == agreement and event.net_amount == Decimal("145.00")
    assert events.event_approve(event=event, by=cast.finance).status == EventStatus.APPROVED


def test_an_issued_report_raises_one_event_however_many_times_it_is_issued(cast, settings, tmp_path):
    from casework.reports.tests.issued import make_issued, report_on

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    case = billed_case(cast)
    helpers.contract(cast.finance, cast.organisation)
    helpers.tariff(cast.finance, BillableService.REPORT_POLICE, "750.00")
    report = report_on(case, by=cast.clinician)
    first = make_issued(report, recipient=cast.organisation, by=cast.clinical_lead)
    second = make_issued(report, recipient=cast.organisation, by=cast.clinical_lead, number=2)
    for issued in (first, second):
        events.event_raise(completions.REPORT_ISSUED, issued, by=cast.clinical_lead)
    (event,) = _events(case)
    assert event.source_kind == EventSource.REPORT and event.source_id == report.request_id
    assert event.service == BillableService.REPORT_POLICE and event.net_amount == Decimal("750.00")
