"""Recording what the agency asked (once per consultation case, then corrected in place) and the
advice the clinic gave."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.cases.services._shared import audit_changed, audit_created
from casework.consultations.choices import RequestStatus
from casework.consultations.models import ConsultationRequest
from casework.core.permissions import require
from casework.core.refusals import Refused


class ConsultationRefused(Refused):
    """A consultation change refused, with the reason (and its field)."""


def _check_request(values: dict[str, Any], today: dt.date) -> None:
    if values.get("agency") is None:
        raise ConsultationRefused("Select the agency asking", "agency")
    if not (values.get("officer_name") or "").strip():
        raise ConsultationRefused("Enter the name of the officer asking", "officer_name")
    if not (values.get("question") or "").strip():
        raise ConsultationRefused("Enter the question asked", "question")
    received = values.get("received_on")
    if received is None:
        raise ConsultationRefused("Enter the date the request was received", "received_on")
    if received > today:
        raise ConsultationRefused("The date received must be today or in the past", "received_on")


def request_save(*, case, by, values: dict[str, Any], request: HttpRequest | None = None) -> ConsultationRequest:
    """Record the consultation's request from ``values`` (agency, officer, question, material, date
    received), or correct the one recorded."""
    require(by, "consultations.record", case)
    values = {name: values.get(name) for name in ConsultationRequest.EDITED_FIELDS}
    values["officer_email"] = values.get("officer_email") or ""
    values["material"] = values.get("material") or ""
    _check_request(values, timezone.localdate())
    with transaction.atomic():
        found = ConsultationRequest.objects.select_for_update().filter(case=case).first()
        if found is None:
            created = ConsultationRequest.objects.create(case=case, created_by=by, updated_by=by, **values)
            audit_created(
                case=case,
                by=by,
                request=request,
                obj=created,
                label="consultation request",
                fields=ConsultationRequest.AUDITED_FIELDS,
            )
            return created
        before = {name: getattr(found, name) for name in ConsultationRequest.AUDITED_FIELDS}
        for name, value in values.items():
            setattr(found, name, value)
        found.updated_by = by
        found.updated_at = timezone.now()
        found.save()
        audit_changed(
            case=case,
            by=by,
            request=request,
            obj=found,
            label="consultation request",
            before=before,
            fields=ConsultationRequest.AUDITED_FIELDS,
        )
    return found


def advice_record(
    *, case, by, summary: str, given_on: dt.date | None, request: HttpRequest | None = None
) -> ConsultationRequest:
    """Record the advice the clinic gave (a summary; the letter itself is a report)."""
    require(by, "consultations.record", case)
    summary = (summary or "").strip()
    with transaction.atomic():
        found = ConsultationRequest.objects.select_for_update().filter(case=case).first()
        if found is None:
            raise ConsultationRefused("Record the agency's request before the advice")
        if not summary:
            raise ConsultationRefused("Enter a summary of the advice given", "summary")
        if given_on is None:
            raise ConsultationRefused("Enter the date the advice was given", "given_on")
        if given_on > timezone.localdate():
            raise ConsultationRefused("The date the advice was given must be today or in the past", "given_on")
        if given_on < found.received_on:
            raise ConsultationRefused("The advice cannot be given before the request was received", "given_on")
        before = {name: getattr(found, name) for name in ConsultationRequest.AUDITED_FIELDS}
        found.advice_summary = summary
        found.advice_given_on = given_on
        if found.status == RequestStatus.OPEN:
            found.status = RequestStatus.ADVICE_GIVEN
        found.updated_by = by
        found.updated_at = timezone.now()
        found.save()
        audit_changed(
            case=case,
            by=by,
            request=request,
            obj=found,
            label="consultation request",
            before=before,
            fields=ConsultationRequest.AUDITED_FIELDS,
        )
    return found
