"""Orders and conditions, hearings, and MAPPA."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from casework.cases import queries
from casework.cases.choices import CaseKind, PartyRole
from casework.cases.forms import HearingForm, MappaForm, MappaMeetingForm, OrderForm
from casework.cases.services import records
from casework.cases.views.common import case_or_404, case_url, form_page
from casework.core.idempotency import creates_record

ORDER_FIELDS = (
    "kind",
    "issued_by",
    "starts_on",
    "ends_on",
    "no_contact",
    "exclusion_zone",
    "exclusion_zone_details",
    "zone_places",
    "attend_treatment",
    "other_conditions",
)


def _protectable(case) -> list:
    """Whom an order can protect: everyone in the case but the person who stalks (in a victim
    case, the subject is the person protected)."""
    parties = queries.parties_of(case)
    if case.kind == CaseKind.VICTIM:
        return [p for p in parties if p.role != PartyRole.PERSON_WHO_STALKS]
    return [p for p in parties if p.role != PartyRole.SUBJECT]


def _order_form(request, case, order=None):
    parties = _protectable(case)
    initial = {}
    if order is not None:
        initial = {name: getattr(order, name) for name in ORDER_FIELDS}
        initial["protects"] = [str(p.pk) for p in order.protects.all()]
    form = OrderForm(request.POST if request.method == "POST" else None, initial=initial, parties=parties)
    form.parties_by_pk = {str(p.pk): p for p in parties}
    return form


def _order_fields(form, data) -> dict:
    fields = {name: data.get(name) for name in ORDER_FIELDS}
    fields["exclusion_zone_details"] = fields["exclusion_zone_details"] or ""
    fields["other_conditions"] = fields["other_conditions"] or ""
    fields["zone_places"] = list(fields["zone_places"] or []) if fields["exclusion_zone"] else []
    fields["protects"] = [form.parties_by_pk[pk] for pk in data.get("protects") or []]
    return fields


@require_http_methods(["GET", "POST"])
@creates_record
def order_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_clinical")
    form = _order_form(request, case)
    return form_page(
        request,
        case=case,
        form=form,
        title="Add an order or conditions",
        save=lambda data: records.order_add(case=case, by=request.user, request=request, **_order_fields(form, data)),
        success_message="Order added",
        success_url=case_url(case, "orders"),
    )


@require_http_methods(["GET", "POST"])
def order_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_clinical")
    order = queries.order_of(case, pk)
    if order is None:
        raise Http404("No such order")
    form = _order_form(request, case, order)
    return form_page(
        request,
        case=case,
        form=form,
        title=f"Change the {order.get_kind_display().lower()}",
        save=lambda data: records.order_update(
            order=order, by=request.user, request=request, **_order_fields(form, data)
        ),
        success_message="Order changed",
        success_url=case_url(case, "orders"),
    )


def _hearing_fields(data) -> dict:
    return {
        "kind": data["kind"],
        "hearing_on": data["hearing_on"],
        "venue": data.get("venue") or "",
        "notes": data.get("notes") or "",
    }


@require_http_methods(["GET", "POST"])
@creates_record
def hearing_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_admin")
    form = HearingForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        case=case,
        form=form,
        title="Add a hearing",
        save=lambda data: records.hearing_add(case=case, by=request.user, request=request, **_hearing_fields(data)),
        success_message="Hearing added",
        success_url=case_url(case, "hearings"),
    )


@require_http_methods(["GET", "POST"])
def hearing_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_admin")
    hearing = queries.hearing_of(case, pk)
    if hearing is None:
        raise Http404("No such hearing")
    form = HearingForm(
        request.POST if request.method == "POST" else None,
        initial={
            "kind": hearing.kind,
            "hearing_on": hearing.hearing_on,
            "venue": hearing.venue,
            "notes": hearing.notes,
        },
    )
    return form_page(
        request,
        case=case,
        form=form,
        title="Change a hearing",
        save=lambda data: records.hearing_update(
            hearing=hearing, by=request.user, request=request, **_hearing_fields(data)
        ),
        success_message="Hearing changed",
        success_url=case_url(case, "hearings"),
    )


@require_http_methods(["GET", "POST"])
def mappa(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_clinical")
    current = queries.mappa_of(case)
    initial = {}
    if current is not None:
        initial = {
            "category": str(current.category),
            "level": str(current.level),
            "coordinator_name": current.coordinator_name,
            "coordinator_email": current.coordinator_email,
            "coordinator_phone": current.coordinator_phone,
        }
    form = MappaForm(request.POST if request.method == "POST" else None, initial=initial)
    return form_page(
        request,
        case=case,
        form=form,
        title="MAPPA",
        save=lambda data: records.mappa_save(
            case=case,
            by=request.user,
            request=request,
            category=data["category"],
            level=data["level"],
            coordinator_name=data.get("coordinator_name") or "",
            coordinator_email=data.get("coordinator_email") or "",
            coordinator_phone=data.get("coordinator_phone") or "",
        ),
        success_message="MAPPA saved",
        success_url=case_url(case, "mappa"),
    )


@require_http_methods(["GET", "POST"])
@creates_record
def mappa_meeting_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_admin")
    form = MappaMeetingForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        case=case,
        form=form,
        title="Add a MAPPA meeting",
        save=lambda data: records.mappa_meeting_add(
            case=case, by=request.user, request=request, meets_on=data["meets_on"], notes=data.get("notes") or ""
        ),
        success_message="MAPPA meeting added",
        success_url=case_url(case, "mappa"),
    )
