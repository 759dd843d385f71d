"""The enrolment pages, under a case: /cases/<reference>/treatment/…

The case is loaded for the user (404 if they may not see it, 403 if their role may not read its
clinical content), then the enrolment among those the user may see (404 otherwise). Each page
parses a form, calls a service or a query, and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casework.access import policy
from casework.audit.services import record_view
from casework.cases.choices import CaseKind
from casework.cases.views.common import case_or_404
from casework.core.idempotency import creates_record
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.treatment import diary_queries, programmes
from casework.treatment import enrolment_queries as queries
from casework.treatment.choices import LegalBasis
from casework.treatment.enrolment_forms import DischargeForm, EnrolForm, FollowUpForm, OutcomeForm, VictimEnrolForm
from casework.treatment.models import Enrolment, FollowUp
from casework.treatment.services import enrolment as services


def _case(request: HttpRequest, reference: str):
    case = case_or_404(request, reference, "cases.view_clinical")
    require(request.user, "treatment.view", case)
    return case


def _enrolment(request: HttpRequest, case, pk: int) -> Enrolment:
    return policy.get_or_404(request, Enrolment, queryset=queries.enrolment_for_page(request.user, case), pk=pk)


# The cases whose subject the clinic treats: the person who stalks, or the person stalked (therapy).
TREATED_KINDS = (CaseKind.PERPETRATOR, CaseKind.VICTIM)
# The overview lists the next few appointments; the diary's own page lists them all.
UPCOMING = 5


def overview_url(case) -> str:
    return reverse("treatment:overview", args=[case.reference])


def enrolment_url(enrolment: Enrolment) -> str:
    return reverse("treatment:enrolment", args=[enrolment.case.reference, enrolment.pk])


def _form_page(request, *, case, form, title, cancel_url, extra=None):
    if request.method == "GET":
        record_view(request, case)
    context = {"case": case, "form": form, "title": title, "cancel_url": cancel_url, "submit_text": "Save"}
    return render(
        request, "treatment/enrolment_form.jinja", {**context, **(extra or {})}, status=400 if form.is_bound else 200
    )


def _enrol_or_refuse(request, case, form, success: str, **basis) -> HttpResponse | None:
    """Enrol from a valid form: the enrolment's page on success, else None with the refusal on the form's fields."""
    data = form.cleaned_data
    try:
        enrolment = services.enrol(
            case=case,
            programme_code=data["programme"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            by=request.user,
            request=request,
            **basis,
        )
    except Refused as refused:
        show_refusal(form, refused, {"programme_code": "programme"})
        return None
    messages.success(request, success)
    return redirect(enrolment_url(enrolment))


@require_GET
def overview(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    enrolments = list(queries.enrolments_of_case(request.user, case))
    upcoming = list(
        diary_queries.appointments_of_case(request.user, case)
        .filter(starts_at__gte=timezone.now())
        .order_by("starts_at", "id")[:UPCOMING]
    )
    record_view(request, case, object_label=f"{case.reference}: treatment")
    return render(
        request,
        "treatment/overview.jinja",
        {
            "case": case,
            "enrolments": enrolments,
            "active": next((e for e in enrolments if e.is_active), None),
            "may_enrol": request.user.has_perm("treatment.enrol", case) and case.kind in TREATED_KINDS,
            "victim": case.kind == CaseKind.VICTIM,
            "upcoming": upcoming,
            "place_label": diary_queries.place_label,
            "may_book": request.user.has_perm("treatment.book", case),
        },
    )


@require_http_methods(["GET", "POST"])
@creates_record
def enrol(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "treatment.enrol", case)
    if case.kind == CaseKind.VICTIM:
        return _enrol_victim(request, case)
    orders = queries.orders_for_enrolment(case)
    agencies = queries.supervising_agencies()
    form = EnrolForm(
        request.POST if request.method == "POST" else None,
        programmes=programmes.available(programmes.PERPETRATOR),
        orders=orders,
        agencies=agencies,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _enrol_or_refuse(
            request,
            case,
            form,
            "Enrolled in treatment",
            legal_basis=data["legal_basis"],
            order=next((o for o in orders if str(o.pk) == data.get("order")), None),
            supervising_agency=next((a for a in agencies if str(a.pk) == data.get("supervising_agency")), None),
            supervising_officer_name=data.get("supervising_officer_name") or "",
            supervising_officer_email=data.get("supervising_officer_email") or "",
        )
        if done:
            return done
    return _form_page(
        request,
        case=case,
        form=form,
        title="Enrol in treatment",
        cancel_url=overview_url(case),
        extra={
            "intro": "Treatment is offered at first only under compulsion: choose the order that requires it. "
            "A voluntary basis is possible only after an earlier treatment episode.",
            "no_orders": not orders,
        },
    )


def _enrol_victim(request: HttpRequest, case) -> HttpResponse:
    """Therapy for the person stalked: by consent (voluntary), on no order, with no supervising officer."""
    form = VictimEnrolForm(
        request.POST if request.method == "POST" else None, programmes=programmes.available(programmes.VICTIM)
    )
    if request.method == "POST" and form.is_valid():
        done = _enrol_or_refuse(request, case, form, "Therapy started", legal_basis=LegalBasis.VOLUNTARY)
        if done:
            return done
    return _form_page(
        request,
        case=case,
        form=form,
        title="Start therapy",
        cancel_url=overview_url(case),
        extra={
            "intro": "Therapy for a person who is stalked is by their consent: it rests on no order, and no one "
            "is told whether they attend. Appointment reminders go only as their safety plan allows."
        },
    )


@require_GET
def enrolment_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    enrolment = _enrolment(request, case, pk)
    programme = programmes.of(enrolment.programme)
    scores = {(m.measure, m.stage): m for m in enrolment.measures.all()}
    record_view(request, case, object_label=f"{case.reference}: {enrolment.audit_label}")
    user = request.user
    return render(
        request,
        "treatment/enrolment_detail.jinja",
        {
            "case": case,
            "enrolment": enrolment,
            "programme": programme,
            "stages": programmes.STAGES,
            "scores": scores,
            "follow_ups": list(enrolment.follow_ups.all()),
            "today": timezone.localdate(),
            "may_record_outcomes": user.has_perm("treatment.outcomes", enrolment),
            "may_discharge": enrolment.is_active and user.has_perm("treatment.discharge", enrolment),
            "may_request_report": user.has_perm("reports.add", enrolment.case),
            "may_follow_up": user.has_perm("treatment.follow_up", enrolment),
            "victim": case.kind == CaseKind.VICTIM,
        },
    )


@require_http_methods(["GET", "POST"])
@creates_record
def outcome_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    enrolment = _enrolment(request, case, pk)
    require(request.user, "treatment.outcomes", enrolment)
    programme = programmes.of(enrolment.programme)
    form = OutcomeForm(request.POST if request.method == "POST" else None, measures=programme.measures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.outcome_record(
                enrolment=enrolment,
                measure=data["measure"],
                stage=data["stage"],
                score=data["score"],
                taken_on=data["taken_on"],
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Outcome measure recorded")
            return redirect(enrolment_url(enrolment) + "#outcomes")
    return _form_page(
        request,
        case=case,
        form=form,
        title="Record an outcome measure",
        cancel_url=enrolment_url(enrolment),
        extra={"enrolment": enrolment, "measures": programme.measures},
    )


@require_http_methods(["GET", "POST"])
def discharge(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    enrolment = _enrolment(request, case, pk)
    require(request.user, "treatment.discharge", enrolment)
    if not enrolment.is_active:
        messages.info(request, "This enrolment has already ended")
        return redirect(enrolment_url(enrolment))
    form = DischargeForm(
        request.POST if request.method == "POST" else None, under_order=case.kind == CaseKind.PERPETRATOR
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.discharge(
                enrolment=enrolment,
                status=data["status"],
                reason=data["reason"],
                discharged_on=data["discharged_on"],
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Discharged. Follow-ups are due at 6, 12 and 24 months.")
            return redirect(enrolment_url(enrolment))
    return _form_page(
        request,
        case=case,
        form=form,
        title="Discharge from treatment",
        cancel_url=enrolment_url(enrolment),
        extra={"enrolment": enrolment},
    )


@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, reference: str, pk: int, follow_up_pk: int) -> HttpResponse:
    case = _case(request, reference)
    enrolment = _enrolment(request, case, pk)
    found: FollowUp | None = queries.follow_up_of(request.user, enrolment, follow_up_pk).first()
    if found is None:
        raise Http404("No such follow-up")
    require(request.user, "treatment.follow_up", found)
    initial = {}
    if found.done_on:
        initial = {
            "done_on": found.done_on,
            "notes": found.notes,
            **{
                name: "yes" if getattr(found, name) else "no"
                for name in ("re_referred", "further_stalking", "reconvicted")
                if getattr(found, name) is not None
            },
        }
    form = FollowUpForm(
        request.POST if request.method == "POST" else None, initial=initial, victim=case.kind == CaseKind.VICTIM
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(follow_up=found, by=request.user, request=request, **form.answers())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"Follow-up at {found.point} months recorded")
            return redirect(enrolment_url(enrolment) + "#follow-ups")
    return _form_page(
        request,
        case=case,
        form=form,
        title=f"Follow-up at {found.point} months",
        cancel_url=enrolment_url(enrolment),
        extra={"enrolment": enrolment, "follow_up": found},
    )
