"""Research extracts: the log, asking for an extract, deciding on one, and downloading it.

No page here shows a client's or a victim's name, identifier or contact detail: the log holds
staff names, purposes and counts, and the files are pseudonymised (``extract.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import show_refusal
from casework.research import queries, services
from casework.research.extract import ResearchKeyMissing
from casework.research.forms import DecisionForm, ExtractRequestForm
from casework.research.models import FileFormat, ResearchExtract

GET_POST = ["GET", "POST"]


def _post(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _extract_or_404(request: HttpRequest, pk: int) -> ResearchExtract:
    require(request.user, "research.view_log")
    found = queries.extracts_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such extract")
    return found


@require_GET
def extract_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "research.view_log")
    page = paginate(request, queries.extracts_visible_to(request.user))
    return render(
        request,
        "research/list.jinja",
        {
            "page": page,
            "pagination": page_links(request, page),
            "may_request": request.user.has_perm("research.request"),
        },
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def extract_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "research.request")
    form = ExtractRequestForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            found = services.extract_request(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{found.reference} sent to a clinical lead for approval")
            return redirect("research:extract_detail", pk=found.pk)
    return render(request, "research/new.jinja", {"form": form}, status=400 if form.errors else 200)


@require_GET
def extract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _extract_or_404(request, pk)
    user = request.user
    return render(
        request,
        "research/detail.jinja",
        {
            "extract": found,
            "may_decide": user.has_perm("research.decide", found),
            "may_download": user.has_perm("research.download", found),
        },
    )


@never_cache
@require_http_methods(GET_POST)
def extract_decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = _extract_or_404(request, pk)
    require(request.user, "research.decide", found)
    form = DecisionForm(_post(request))
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.extract_decide(
                research_extract=found,
                by=request.user,
                approve=approve,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{found.reference} {'approved' if approve else 'declined'}")
            return redirect("research:extract_detail", pk=found.pk)
    return render(
        request, "research/decide.jinja", {"form": form, "extract": found}, status=400 if form.errors else 200
    )


def _download(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    found = _extract_or_404(request, pk)
    require(request.user, "research.download", found)
    try:
        issued = services.extract_issue(
            research_extract=found, by=request.user, file_format=file_format, request=request
        )
    except ResearchKeyMissing:
        return render(request, "research/no_key.jinja", {"extract": found}, status=503)
    response = HttpResponse(issued.content, content_type=issued.content_type)
    response["Content-Disposition"] = f'attachment; filename="{issued.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def download_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, FileFormat.CSV)


@require_GET
def download_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, FileFormat.XLSX)
