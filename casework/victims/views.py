"""The victim pathway's pages, under a victim case: /cases/<reference>/victim/…

The case is loaded for the user (404 if they may not see it or it is not a victim case, 403 if
their role may not read its clinical content); each page parses a form, calls a service or a
query, and renders. Every read of the plan or a message is audited as a view of the case.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.cases.views.common import case_or_404
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.victims import contact, queries
from casework.victims import subject_access as subject_access_export
from casework.victims.choices import WEEKDAYS, Channel
from casework.victims.forms import MessageForm, SafetyPlanForm
from casework.victims.models import SafetyPlanVersion
from casework.victims.services import messages as message_services
from casework.victims.services import plans as plan_services

DAY_NAMES = dict(WEEKDAYS)


def _case(request: HttpRequest, reference: str):
    case = case_or_404(request, reference, "cases.view_clinical")
    if case.kind != "victim":
        raise Http404("Not a victim case")
    require(request.user, "victims.view", case)
    return case


def overview_url(case) -> str:
    return reverse("victims:overview", args=[case.reference])


def describe(plan: SafetyPlanVersion | None) -> dict[str, str]:
    """The plan's safe-contact terms in words, for the pages."""
    if plan is None:
        return {}
    return {
        "channels": ", ".join(Channel(c).label for c in plan.channels),
        "preferred": Channel(plan.preferred_channel).label if plan.preferred_channel else "No preference",
        "times": f"{', '.join(DAY_NAMES[str(d)] for d in plan.contact_days)}; {plan.contact_from:%H:%M} to "
        f"{plan.contact_until:%H:%M}",
    }


@require_GET
def overview(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    versions = list(queries.plans_of_case(request.user, case)[:20])
    plan = versions[0] if versions else None
    page = paginate(request, queries.messages_of_case(request.user, case))
    record_view(request, case, object_label=f"{case.reference}: safety plan and messages")
    return render(
        request,
        "victims/overview.jinja",
        {
            "case": case,
            "plan": plan,
            "terms": describe(plan),
            "versions": versions,
            "page": page,
            "links": page_links(request, page),
            "may_plan": request.user.has_perm("victims.plan", case),
            "may_message": request.user.has_perm("victims.message", case) and plan is not None,
            "may_subject_access": request.user.has_perm("victims.subject_access", case),
        },
    )


@require_http_methods(["GET", "POST"])
@creates_record
def plan_agree(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "victims.plan", case)
    current = queries.plan_in_force(case)
    form = SafetyPlanForm(
        request.POST if request.method == "POST" else None,
        initial=SafetyPlanForm.initial_from(current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_services.plan_agree(case=case, by=request.user, values=form.values(), request=request)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"Safety plan version {plan.number} recorded")
            return redirect(overview_url(case))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: safety plan form")
    return render(
        request,
        "cases/form.jinja",
        {
            "case": case,
            "form": form,
            "title": "Agree a new version of the safety plan" if current else "Agree the safety plan",
            "intro": "The plan records how it is safe to contact them, the advice given, the checks done and the "
            "agencies involved. Every letter, email and text message to them is checked against it before it is sent.",
            "cancel_url": overview_url(case),
            "submit_text": "Save this version",
        },
        status=400 if form.is_bound else 200,
    )


@require_GET
def plan_version(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    case = _case(request, reference)
    plan = queries.plan_version(request.user, case, number)
    if plan is None:
        raise Http404("No such version")
    previous = queries.previous_version(plan)
    changed = []
    if previous is not None:
        for name in SafetyPlanVersion.COMPARED_FIELDS:
            if getattr(previous, name) != getattr(plan, name):
                changed.append(str(getattr(SafetyPlanVersion._meta.get_field(name), "verbose_name", name)))
    record_view(request, case, object_label=f"{case.reference}: safety plan version {plan.number}")
    return render(
        request,
        "victims/plan_version.jinja",
        {"case": case, "plan": plan, "terms": describe(plan), "previous": previous, "changed": changed},
    )


@require_http_methods(["GET", "POST"])
@creates_record
def message_new(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "victims.message", case)
    plan = queries.plan_in_force(case)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = message_services.message_send(
                case=case,
                channel=form.cleaned_data["channel"],
                text=form.cleaned_data["text"],
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"{message.get_channel_display()} queued: it is sent in the background")
            return redirect(reverse("victims:message", args=[case.reference, message.pk]))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: message form")
    return render(
        request,
        "victims/message_form.jinja",
        {
            "case": case,
            "form": form,
            "plan": plan,
            "terms": describe(plan),
            "next_safe": contact.next_safe_time(plan, timezone.now()) if plan else None,
            "cancel_url": overview_url(case),
            "title": "Write to them",
            "submit_text": "Send",
            "neutral_sender": settings.VICTIM_NEUTRAL_SENDER,
        },
        status=400 if form.is_bound else 200,
    )


@require_GET
def message_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    message = queries.message_for_page(request.user, case, pk)
    if message is None:
        raise Http404("No such message")
    record_view(request, message)
    return render(request, "victims/message.jinja", {"case": case, "message": message})


@require_http_methods(["GET", "POST"])
def subject_access(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: what the export holds and what it holds back. POST: the export, as a ZIP download,
    audited as an export of the case."""
    case = _case(request, reference)
    require(request.user, "victims.subject_access", case)
    if request.method == "POST":
        content = subject_access_export.export_zip(request.user, case)
        record(
            action=Action.EXPORT,
            request=request,
            obj=case,
            reason="Subject access request: the person's own record exported for review and release",
        )
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="subject-access-{case.subject.reference}-{timezone.localdate():%Y-%m-%d}.zip"'
        )
        response["Cache-Control"] = "no-store"
        return response
    record_view(request, case, object_label=f"{case.reference}: subject access request")
    sections = subject_access_export.included(request.user, case)
    return render(
        request,
        "victims/subject_access.jinja",
        {
            "case": case,
            "sections": {title: (len(value) if isinstance(value, list) else 1) for title, value in sections.items()},
            "held_back": subject_access_export.held_back(request.user, case),
        },
    )
