"""The assessments pages, under a case: /cases/<reference>/assessments/…

The case is loaded for the user (404 if they may not see it, 403 if their role may not read its
clinical content), then the assessment among those the user may see (404 otherwise). Each page
parses a form, calls a service or a query, and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.access import policy
from casework.assessments import charts, definitions, fhir, queries, services
from casework.assessments.forms import (
    ActionForm,
    AddendumForm,
    AssessmentForm,
    PlanForm,
    ReassessForm,
    ReviewForm,
    ScenarioForm,
    SourceForm,
    StartForm,
    initial_from,
)
from casework.assessments.models import Assessment
from casework.assessments.services import AssessmentRefused, EditConflict, Incomplete
from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.cases.views.common import case_or_404
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal


def _case(request: HttpRequest, reference: str):
    case = case_or_404(request, reference, "cases.view_clinical")
    require(request.user, "assessments.view", case)
    return case


def _assessment(request: HttpRequest, case, pk: int) -> Assessment:
    return policy.get_or_404(
        request,
        Assessment,
        queryset=queries.assessments_of_case(request.user, case)
        .select_related("previous", "updated_by")
        .prefetch_related("co_assessors", "sources", "scenarios", "reviews__reviewer", "addenda__author"),
        pk=pk,
    )


def list_url(case) -> str:
    return reverse("assessments:list", args=[case.reference])


def detail_url(assessment: Assessment) -> str:
    return reverse("assessments:detail", args=[assessment.case.reference, assessment.pk])


def _form_page(request, *, case, form, title, template="assessments/form.jinja", cancel_url, extra=None, status=None):
    context = {
        "case": case,
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "submit_text": "Save",
        **(extra or {}),
    }
    return render(request, template, context, status=status or (400 if form.is_bound else 200))


# --- The case's assessments -------------------------------------------------------------------------


@require_GET
def assessment_list(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    page = paginate(request, queries.assessments_of_case(request.user, case))
    trends = queries.judgement_history(request.user, case)
    record_view(request, case, object_label=f"{case.reference}: assessments")
    return render(
        request,
        "assessments/list.jinja",
        {
            "case": case,
            "page": page,
            "pagination": page_links(request, page),
            "trends": trends,
            "chart": charts.judgement_chart(trends),
            "may_start": request.user.has_perm("assessments.start", case),
        },
    )


@require_http_methods(["GET", "POST"])
@creates_record
def assessment_start(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "assessments.start", case)
    available = definitions.available(case.kind)
    instruments = [d for _, d, _ in available if d is not None]
    unavailable = [(code, why) for code, d, why in available if d is None]
    team = [u for u in queries.team_clinicians(case) if u.pk != request.user.pk]
    form = StartForm(request.POST if request.method == "POST" else None, instruments=instruments, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [u for u in team if str(u.pk) in (data.get("co_assessors") or [])]
        try:
            assessment = services.assessment_start(
                case=case,
                code=data["instrument"],
                setting=data["setting"],
                establishment=data.get("establishment") or "",
                co_assessors=chosen,
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused, {"code": "instrument"})
        else:
            messages.success(request, "Assessment started. Your answers are saved as you go.")
            return redirect(reverse("assessments:edit", args=[case.reference, assessment.pk]))
    if request.method == "GET":
        record_view(request, case)
    return _form_page(
        request,
        case=case,
        form=form,
        title="Start an assessment",
        template="assessments/start.jinja",
        cancel_url=list_url(case),
        extra={
            "unavailable": unavailable,
            "training_notes": _training_notes(request.user, instruments),
            "submit_text": "Start the assessment",
        },
    )


def _training_notes(user, instruments) -> list[str]:
    notes = []
    for definition in instruments:
        refusal = services.training_refusal(user, definition)
        if refusal:
            notes.append(f"{definition.title}: {refusal}")
    return notes


# --- One assessment ---------------------------------------------------------------------------------


@require_GET
def assessment_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    definition = services.definition_of(assessment)
    record_view(request, case, object_label=f"{case.reference}: {assessment.audit_label}")
    user = request.user
    answered = _answered_sections(assessment, definition)
    tally = None
    if definition.tally is not None:
        tally = sum(1 for answer in assessment.answers.values() if answer.get("value") == definition.tally.answer)
    return render(
        request,
        "assessments/detail.jinja",
        {
            "case": case,
            "assessment": assessment,
            "definition": definition,
            "sections": answered,
            "tally": tally,
            "missing": services.missing(assessment) if assessment.is_editable else [],
            "signature_holds": services.signature_holds(assessment) if assessment.is_signed else None,
            "may_edit": user.has_perm("assessments.edit", assessment),
            "may_review": user.has_perm("assessments.review", assessment),
            "may_add_addendum": user.has_perm("assessments.add_addendum", assessment),
            "may_reassess": user.has_perm("assessments.reassess", assessment)
            and queries.open_reassessment(assessment) is None,
            "open_reassessment": queries.open_reassessment(assessment) if assessment.is_signed else None,
        },
    )


def _answered_sections(assessment: Assessment, definition) -> list[tuple]:
    """(section, [(item, answer)]) for the items asked, in order."""
    asked = {item.key for item in definition.applicable_items(assessment.answers)}
    sections = []
    for section in definition.sections:
        rows = [(item, assessment.answers.get(item.key) or {}) for item in section.items if item.key in asked]
        if rows:
            sections.append((section, rows))
    return sections


def _edit_form(request: HttpRequest, assessment: Assessment, data=None) -> AssessmentForm:
    definition = services.definition_of(assessment)
    items = definition.applicable_items(assessment.answers)
    return AssessmentForm(
        data,
        definition=definition,
        items=items,
        initial=initial_from(assessment, definition, items),
    )


def _save(request: HttpRequest, assessment: Assessment, form: AssessmentForm) -> Assessment:
    return services.assessment_save(
        assessment=assessment,
        answers=form.answers(),
        judgements=form.judgements(),
        review_due_on=form.cleaned_data.get("review_due_on"),
        expected_version=form.cleaned_data["version"],
        by=request.user,
        request=request,
    )


@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    require(request.user, "assessments.edit", assessment)
    refusal = services.training_refusal(request.user, services.definition_of(assessment))
    if refusal:
        messages.error(request, refusal)
        return redirect(detail_url(assessment))
    form = _edit_form(request, assessment, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _save(request, assessment, form)
        except EditConflict as conflict:
            form.add_error(None, conflict.message)
        except Refused as refused:
            show_refusal(form, refused, _field_names(form))
        else:
            messages.success(request, "Assessment saved")
            if request.POST.get("then") == "submit":
                return redirect(reverse("assessments:submit", args=[case.reference, assessment.pk]))
            return redirect(reverse("assessments:edit", args=[case.reference, assessment.pk]))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {assessment.audit_label}")
    return render(
        request,
        "assessments/edit.jinja",
        {
            "case": case,
            "assessment": assessment,
            "definition": services.definition_of(assessment),
            "form": form,
            "returned": [r for r in assessment.reviews.all() if r.decision == "returned"],
        },
        status=400 if form.is_bound else 200,
    )


def _field_names(form: AssessmentForm) -> dict[str, str]:
    """A service's field names (item keys) as the form's."""
    return {item.key: f"a_{item.key}" for item in form.items}


@require_POST
def assessment_autosave(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """What the edit page's script posts every so often: the whole form. Answers JSON: the new
    version, or why not (409 for a conflict, 400 for input that does not fit)."""
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    require(request.user, "assessments.edit", assessment)
    form = _edit_form(request, assessment, request.POST)
    if not form.is_valid():
        return JsonResponse(
            {
                "saved": False,
                "message": "Not saved automatically: some answers need correcting. Use Save to see which.",
            },
            status=400,
        )
    try:
        saved = _save(request, assessment, form)
    except EditConflict as conflict:
        return JsonResponse({"saved": False, "conflict": True, "message": conflict.message}, status=409)
    except Refused as refused:
        return JsonResponse({"saved": False, "message": refused.message}, status=400)
    return JsonResponse(
        {"saved": True, "version": saved.row_version, "message": f"Saved at {timezone.localtime():%H:%M}"}
    )


# --- Sources and scenarios ----------------------------------------------------------------------------


def _editable(request: HttpRequest, reference: str, pk: int):
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    require(request.user, "assessments.edit", assessment)
    return case, assessment


def _child_form_page(request, *, case, assessment, form, title, save, success, back: str | None = None):
    """A small form about an assessment (a source, a scenario, a plan action): on a valid POST,
    ``save`` (a service) and back to ``back`` (the draft form unless given); refused, the form again
    with why, by its field."""
    back = back or reverse("assessments:edit", args=[case.reference, assessment.pk])
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, success)
            return redirect(back)
    return _form_page(request, case=case, form=form, title=title, cancel_url=back, extra={"assessment": assessment})


@require_http_methods(["GET", "POST"])
@creates_record
def source_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case, assessment = _editable(request, reference, pk)
    form = SourceForm(request.POST if request.method == "POST" else None)
    return _child_form_page(
        request,
        case=case,
        assessment=assessment,
        form=form,
        title="Add a source of information",
        success="Source added",
        save=lambda data: services.source_add(
            assessment=assessment,
            kind=data["kind"],
            description=data["description"],
            place=data.get("place") or "",
            occurred_on=data.get("occurred_on"),
            minutes=data.get("minutes"),
            by=request.user,
            request=request,
        ),
    )


@require_http_methods(["GET", "POST"])
@creates_record
def scenario_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case, assessment = _editable(request, reference, pk)
    form = ScenarioForm(request.POST if request.method == "POST" else None)
    return _child_form_page(
        request,
        case=case,
        assessment=assessment,
        form=form,
        title="Add a risk scenario",
        success="Scenario added",
        save=lambda data: services.scenario_add(
            assessment=assessment,
            nature=data["nature"],
            severity=data["severity"],
            imminence=data["imminence"],
            likelihood=data["likelihood"],
            frequency=data.get("frequency") or "",
            by=request.user,
            request=request,
        ),
    )


@require_POST
def source_remove(request: HttpRequest, reference: str, pk: int, source_pk: int) -> HttpResponse:
    case, assessment = _editable(request, reference, pk)
    source = queries.source_of(assessment, source_pk)
    if source is not None:
        services.source_remove(source=source, by=request.user, request=request)
        messages.success(request, "Source removed")
    return redirect(reverse("assessments:edit", args=[case.reference, assessment.pk]))


@require_POST
def scenario_remove(request: HttpRequest, reference: str, pk: int, scenario_pk: int) -> HttpResponse:
    case, assessment = _editable(request, reference, pk)
    scenario = queries.scenario_of(assessment, scenario_pk)
    if scenario is not None:
        services.scenario_remove(scenario=scenario, by=request.user, request=request)
        messages.success(request, "Scenario removed")
    return redirect(reverse("assessments:edit", args=[case.reference, assessment.pk]))


# --- Submitting, reviewing, after sign-off -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_submit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case, assessment = _editable(request, reference, pk)
    problems = services.missing(assessment)
    if request.method == "POST":
        try:
            services.assessment_submit(assessment=assessment, by=request.user, request=request)
        except Incomplete as incomplete:
            problems = incomplete.problems
        except AssessmentRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, "Submitted for review. A clinical lead will sign it off or return it with comments."
            )
            return redirect(detail_url(assessment))
    else:
        record_view(request, case, object_label=f"{case.reference}: {assessment.audit_label}")
    return render(
        request,
        "assessments/submit.jinja",
        {"case": case, "assessment": assessment, "problems": problems},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def assessment_review(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    require(request.user, "assessments.review", assessment)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "signed":
                services.assessment_sign(
                    assessment=assessment, comments=data.get("comments") or "", by=request.user, request=request
                )
                messages.success(request, "Assessment signed off. It is now locked: later changes are addenda.")
            else:
                services.assessment_return(
                    assessment=assessment, comments=data["comments"], by=request.user, request=request
                )
                messages.success(request, "Assessment returned with your comments")
        except Incomplete as incomplete:
            for _, message in incomplete.problems:
                form.add_error(None, message)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            return redirect(detail_url(assessment))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {assessment.audit_label}")
    return _form_page(
        request,
        case=case,
        form=form,
        title="Review the assessment",
        cancel_url=detail_url(assessment),
        extra={"assessment": assessment, "submit_text": "Record my decision"},
    )


@require_http_methods(["GET", "POST"])
@creates_record
def addendum_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    require(request.user, "assessments.add_addendum", assessment)
    form = AddendumForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.addendum_add(
                assessment=assessment, text=form.cleaned_data["text"], by=request.user, request=request
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Addendum added")
            return redirect(detail_url(assessment) + "#addenda")
    return _form_page(
        request,
        case=case,
        form=form,
        title="Add an addendum",
        cancel_url=detail_url(assessment),
        extra={"assessment": assessment},
    )


@require_http_methods(["GET", "POST"])
@creates_record
def reassess(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    require(request.user, "assessments.reassess", assessment)
    form = ReassessForm(
        request.POST if request.method == "POST" else None,
        initial={"setting": assessment.setting, "establishment": assessment.establishment},
    )
    if request.method == "POST" and form.is_valid():
        try:
            started = services.reassessment_start(
                previous=assessment,
                setting=form.cleaned_data["setting"],
                establishment=form.cleaned_data.get("establishment") or "",
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Reassessment started from the last signed assessment's answers and judgements")
            return redirect(reverse("assessments:edit", args=[case.reference, started.pk]))
    return _form_page(
        request,
        case=case,
        form=form,
        title="Start a reassessment",
        cancel_url=detail_url(assessment),
        extra={
            "assessment": assessment,
            "intro": "The reassessment starts from this assessment's answers, judgements and scenarios. Add this time's sources of information.",
            "submit_text": "Start the reassessment",
        },
    )


@require_GET
def what_changed(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    previous = assessment.previous
    if previous is None or not policy.can_read(request.user, previous):
        return redirect(detail_url(assessment))
    record_view(request, case, object_label=f"{case.reference}: {assessment.audit_label} compared")
    return render(
        request,
        "assessments/changes.jinja",
        {
            "case": case,
            "assessment": assessment,
            "previous": previous,
            "changes": queries.what_changed(previous, assessment),
        },
    )


# --- The risk management plan ----------------------------------------------------------------------


def plan_url(assessment: Assessment) -> str:
    return reverse("assessments:plan", args=[assessment.case.reference, assessment.pk])


@require_http_methods(["GET", "POST"])
@creates_record
def plan(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The plan that answers a signed assessment; while there is none, the form that starts it."""
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    existing = queries.plan_for_page(assessment)
    may_change = request.user.has_perm("assessments.plan", assessment)
    form = None
    if existing is None and may_change:
        form = PlanForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.plan_start(
                    assessment=assessment, review_on=form.cleaned_data["review_on"], by=request.user, request=request
                )
            except Refused as refused:
                show_refusal(form, refused)
            else:
                messages.success(request, "Plan started")
                return redirect(plan_url(assessment))
    elif request.method == "POST":
        require(request.user, "assessments.plan", assessment)
        return redirect(plan_url(assessment))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: plan for {assessment.audit_label}")
    today = timezone.localdate()
    return render(
        request,
        "assessments/plan.jinja",
        {
            "case": case,
            "assessment": assessment,
            "plan": existing,
            "form": form,
            "may_change": may_change,
            "today": today,
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _plan_or_404(request, reference: str, pk: int):
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    require(request.user, "assessments.plan", assessment)
    existing = queries.plan_for_page(assessment)
    if existing is None:
        raise Http404("No plan yet")
    return case, assessment, existing


@require_http_methods(["GET", "POST"])
@creates_record
def action_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case, assessment, existing = _plan_or_404(request, reference, pk)
    form = ActionForm(request.POST if request.method == "POST" else None, initial={"status": "planned"})
    return _child_form_page(
        request,
        case=case,
        assessment=assessment,
        form=form,
        back=plan_url(assessment),
        title="Add an action to the plan",
        success="Action added",
        save=lambda data: services.action_add(plan=existing, by=request.user, request=request, **data),
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, reference: str, pk: int, action_pk: int) -> HttpResponse:
    case, assessment, existing = _plan_or_404(request, reference, pk)
    action = queries.action_of(existing, action_pk)
    if action is None:
        raise Http404("No such action")
    initial = {name: getattr(action, name) for name in ("area", "description", "agency", "person", "due_on", "status")}
    form = ActionForm(request.POST if request.method == "POST" else None, initial=initial)
    return _child_form_page(
        request,
        case=case,
        assessment=assessment,
        form=form,
        back=plan_url(assessment),
        title="Change the action",
        success="Action updated",
        save=lambda data: services.action_update(action=action, by=request.user, request=request, **data),
    )


@require_GET
def fhir_export(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A signed assessment, and its plan, as a FHIR R4 Bundle (RiskAssessment, CarePlan, Patient)."""
    case = _case(request, reference)
    assessment = _assessment(request, case, pk)
    require(request.user, "assessments.export", assessment)
    bundle = fhir.bundle(assessment, services.definition_of(assessment), queries.plan_for_page(assessment))
    record(
        action=Action.EXPORT,
        request=request,
        obj=case,
        object_label=f"{case.reference}: {assessment.audit_label}",
        reason="Signed assessment exported as FHIR",
    )
    response = HttpResponse(bundle.model_dump_json(exclude_none=True, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-assessment-{assessment.pk}.fhir.json"'
    return response
