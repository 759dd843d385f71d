"""Billable events: raised automatically when work is completed (``casework.core.completions``),
then reviewed by finance, who approve each for invoicing or write it off with a reason.

Which work is charged:
- an assessment signed off: the assessment service for its setting (custody, community, mental
  health facility);
- a report issued: the report service for its type, once per report request however many
  recipients it is issued to;
- a treatment session attended (or attended late): a treatment session;
- a treatment session missed without an acceptable reason: the non-attendance fee; cancelled by
  the client without an acceptable reason (a late cancellation): the cancellation fee.

The price is copied when the event is raised: from the line for that service on the accepted
quote of the case's referral, if there is one, else from the tariff in force on the day of the
work. Each source record raises one event at most (a unique constraint on its kind and id), so
re-recording attendance or issuing a report again never charges twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.services import record_change, record_create, snapshot
from casework.billing import queries
from casework.billing.choices import (
    BillableService,
    EventSource,
    EventStatus,
    PriceSource,
    QuoteStatus,
    VatTreatment,
    report_service,
)
from casework.billing.models import REASON_LIMIT, BillableEvent, Contract, Quote, QuoteLine, to_pence
from casework.billing.services._shared import BillingRefused, vat_rate_for
from casework.cases.models import CaseReferral
from casework.core import completions
from casework.core.permissions import requires, system_service
from casework.treatment.choices import AppointmentKind, Attendance

ASSESSMENT_SERVICES = {
    "custody": BillableService.ASSESSMENT_CUSTODY,
    "community": BillableService.ASSESSMENT_COMMUNITY,
    "mental_health_facility": BillableService.ASSESSMENT_MENTAL_HEALTH_FACILITY,
}


def _local_day(moment: dt.datetime | None) -> dt.date:
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


def _appointment_service(appointment) -> str | None:
    if appointment.kind != AppointmentKind.TREATMENT:
        return None
    if appointment.attendance in (Attendance.ATTENDED, Attendance.LATE):
        return BillableService.TREATMENT_SESSION
    if appointment.attendance == Attendance.DID_NOT_ATTEND and appointment.reason_acceptable is not True:
        return BillableService.NON_ATTENDANCE_FEE
    if appointment.attendance == Attendance.CANCELLED_BY_CLIENT and appointment.reason_acceptable is False:
        return BillableService.CANCELLATION_FEE
    return None


def what_to_charge(kind: str, record) -> tuple[str, int, str, Any, dt.date] | None:
    """(source kind, source id, service, case, day of the work) for completed work, or None when it
    is not chargeable."""
    if kind == completions.ASSESSMENT_SIGNED:
        service = ASSESSMENT_SERVICES.get(record.setting)
        if service is None:
            return None
        return EventSource.ASSESSMENT, record.pk, service, record.case, _local_day(record.signed_at)
    if kind == completions.REPORT_ISSUED:
        request = record.report.request
        return (
            EventSource.REPORT,
            request.pk,
            report_service(request.report_type),
            request.case,
            _local_day(record.issued_at),
        )
    if kind == completions.ATTENDANCE_RECORDED:
        charged = _appointment_service(record)
        if charged is None:
            return None
        return EventSource.APPOINTMENT, record.pk, charged, record.case, _local_day(record.starts_at)
    return None


def _accepted_quote_line(referral_ids: list[int], service: str) -> tuple[Quote | None, QuoteLine | None]:
    """The newest accepted quote of these referrals with a line for ``service`` (else the newest
    accepted quote, without a line)."""
    accepted = list(
        Quote.objects.filter(referral_id__in=referral_ids, status=QuoteStatus.ACCEPTED)
        .select_related("contract")
        .order_by("-decided_at", "-id")
    )
    for quote in accepted:
        line = quote.lines.filter(service=service).order_by("id").first()
        if line is not None:
            return quote, line
    return (accepted[0], None) if accepted else (None, None)


def _contract_in_force(organisation_id: int | None, day: dt.date) -> Contract | None:
    if organisation_id is None:
        return None
    return (
        Contract.objects.filter(organisation_id=organisation_id, starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on", "id")
        .first()
    )


def _price(event: BillableEvent, line: QuoteLine | None) -> None:
    """Copy the price onto ``event``: the quote's line, else the tariff in force that day."""
    if line is not None:
        event.price_source = PriceSource.QUOTE
        event.tariff_id = line.tariff_id
        event.unit_price, event.vat_treatment, event.vat_rate = line.unit_price, line.vat_treatment, line.vat_rate
    else:
        tariff = queries.tariff_in_force(event.service, event.occurred_on, event.contract)
        if tariff is None:
            event.price_source, event.unit_price = PriceSource.NONE, Decimal("0.00")
            event.vat_treatment, event.vat_rate = VatTreatment.EXEMPT, Decimal("0.00")
        else:
            event.price_source, event.tariff = PriceSource.TARIFF, tariff
            event.unit_price, event.vat_treatment = tariff.price, tariff.vat_treatment
            try:
                event.vat_rate = vat_rate_for(tariff.vat_treatment)
            except BillingRefused:
                event.price_source, event.vat_rate = PriceSource.NONE, Decimal("0.00")
    event.net_amount = to_pence(event.unit_price)
    event.vat_amount = to_pence(event.net_amount * event.vat_rate / 100)


def _resolve(event: BillableEvent) -> None:
    """Find the event's referral, commissioner, contract and accepted quote, and copy its price."""
    links = list(
        CaseReferral.objects.filter(case_id=event.case_id)
        .select_related("referral")
        .order_by("-opened_case", "added_at", "id")
    )
    quote, line = _accepted_quote_line([link.referral_id for link in links], event.service)
    referral = quote.referral if quote is not None else (links[0].referral if links else None)
    organisation_id = queries.commissioner_id(referral) if referral is not None else None
    contract = quote.contract if quote is not None else _contract_in_force(organisation_id, event.occurred_on)
    event.referral = referral
    event.organisation_id = contract.organisation_id if contract is not None else organisation_id
    event.contract, event.quote = contract, quote
    event.tariff = None
    _price(event, line)


@system_service(
    "called by casework.core.completions inside the clinical service that completed the work, which checked "
    "the user's permission"
)
def event_raise(kind: str, record, *, by, request: HttpRequest | None = None) -> BillableEvent | None:
    """Raise the billable event for completed work (called by ``casework.core.completions``, inside
    the service that completed it, which has already checked the user may). None when the work is
    not chargeable or its event already exists."""
    charge = what_to_charge(kind, record)
    if charge is None:
        return None
    source_kind, source_id, service, case, day = charge
    if BillableEvent.objects.filter(source_kind=source_kind, source_id=source_id).exists():
        return None
    event = BillableEvent(
        source_kind=source_kind, source_id=source_id, case=case, service=service, occurred_on=day, raised_by=by
    )
    _resolve(event)
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:  # raised at the same moment by another request: that one stands
        return None
    record_create(request=request, actor=by, obj=event, fields=BillableEvent.AUDITED_FIELDS)
    return event


def listen() -> None:
    """Raise events from completed work (called when the billing app is ready)."""
    completions.listen(event_raise)


def _locked(event: BillableEvent) -> BillableEvent:
    return BillableEvent.objects.select_for_update().get(pk=event.pk)


@requires("billing.review_event", obj="event")
def event_approve(*, event: BillableEvent, by, request: HttpRequest | None = None) -> BillableEvent:
    """Approve an event for invoicing: it needs a contract and a price."""
    with transaction.atomic():
        current = _locked(event)
        if current.status != EventStatus.PENDING:
            raise BillingRefused("Only an event awaiting review can be approved")
        if current.contract_id is None:
            raise BillingRefused(
                "No contract of the commissioner was in force on the day of the work: add the contract, "
                "or write the event off"
            )
        if current.price_source == PriceSource.NONE:
            raise BillingRefused("There was no price for this service on the day of the work: write the event off")
        before = snapshot(current, BillableEvent.AUDITED_FIELDS)
        current.status, current.reviewed_at, current.reviewed_by = EventStatus.APPROVED, timezone.now(), by
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=BillableEvent.AUDITED_FIELDS)
    return current


@requires("billing.review_event", obj="event")
def event_write_off(*, event: BillableEvent, by, reason: str, request: HttpRequest | None = None) -> BillableEvent:
    """Write an event off (it will never be invoiced), saying why. An approved event not yet on an
    invoice may be written off too."""
    reason = (reason or "").strip()
    if not reason:
        raise BillingRefused("Enter why the event is written off", "reason")
    if len(reason) > REASON_LIMIT:
        raise BillingRefused(f"The reason must be {REASON_LIMIT} characters or fewer", "reason")
    with transaction.atomic():
        current = _locked(event)
        if current.status not in (EventStatus.PENDING, EventStatus.APPROVED):
            raise BillingRefused(f"An event that is {current.get_status_display().lower()} cannot be written off")
        before = snapshot(current, BillableEvent.AUDITED_FIELDS)
        current.status, current.write_off_reason = EventStatus.WRITTEN_OFF, reason
        current.reviewed_at, current.reviewed_by = timezone.now(), by
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=BillableEvent.AUDITED_FIELDS)
    return current


@requires("billing.review_event", obj="event")
def event_reprice(*, event: BillableEvent, by, request: HttpRequest | None = None) -> BillableEvent:
    """Look again, for an event awaiting review, for its contract, accepted quote and price (after a
    contract or a price was added, or a quote accepted, since the work was done)."""
    with transaction.atomic():
        current = _locked(event)
        if current.status != EventStatus.PENDING:
            raise BillingRefused("Only an event awaiting review can be priced again")
        before = snapshot(current, BillableEvent.AUDITED_FIELDS)
        _resolve(current)
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=BillableEvent.AUDITED_FIELDS)
    return current
