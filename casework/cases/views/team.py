"""The case team (clinical leads), and the case's status."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casework.audit.services import record_view
from casework.cases import queries
from casework.cases.choices import CaseStatus, TeamRole
from casework.cases.forms import StatusForm, TeamAddForm
from casework.cases.services import team as team_services
from casework.cases.views.common import case_or_404, case_url, form_page
from casework.core.idempotency import creates_record
from casework.core.refusals import Refused, show_refusal


@require_http_methods(["GET", "POST"])
@creates_record
def team(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.manage_team")
    members = queries.team_of(case)
    on_team = {m.user_id for m in members}
    candidates = [
        u
        for u in queries.case_clinicians()
        if u.pk not in on_team or any(m.user_id == u.pk and m.role != TeamRole.LEAD_CLINICIAN for m in members)
    ]
    form = TeamAddForm(request.POST if request.method == "POST" else None, clinicians=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            member = team_services.team_add(
                case=case,
                user=queries.case_clinician(form.cleaned_data["user"]),
                role=form.cleaned_data["role"],
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"{member.user.full_name} is on the team as {member.get_role_display().lower()}")
            return redirect("cases:team", reference=case.reference)
    if request.method == "GET":
        record_view(request, case)
    return render(
        request,
        "cases/team.jinja",
        {
            "case": case,
            "members": members,
            "form": form,
            "cancel_url": case_url(case),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def team_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "cases.manage_team")
    member = queries.team_member_of(case, pk)
    if member is None:
        raise Http404("No such team member")
    error = ""
    if request.method == "POST":
        try:
            team_services.team_remove(member=member, by=request.user, request=request)
        except Refused as refused:
            error = refused.message
        else:
            messages.success(request, f"{member.user.full_name} is no longer on the team")
            return redirect("cases:team", reference=case.reference)
    else:
        record_view(request, case)
    return render(
        request,
        "cases/team_remove.jinja",
        {
            "case": case,
            "member": member,
            "error": error,
            "cancel_url": reverse("cases:team", args=[case.reference]),
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def change_status(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.change_status")
    form = StatusForm(request.POST if request.method == "POST" else None, current=case.status)
    return form_page(
        request,
        case=case,
        form=form,
        title="Change the status",
        save=lambda data: team_services.case_change_status(
            case=case,
            to=data["to"],
            closure_reason=data.get("closure_reason") or "",
            note=data.get("note") or "",
            by=request.user,
            request=request,
        ),
        success_message="Status changed",
        submit_text="Change the status",
        extra={"intro": f"The case is {CaseStatus(case.status).label.lower()}."},
    )
