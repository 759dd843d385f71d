"""The agency portal: agency referrers refer cases and follow their organisation's referrals.

Clinic staff get 403 on every page here (the portal is for referring agencies). A draft
belongs to the person who started it: anyone else gets 404. A referral from another
organisation is 404. Every page that shows a referral's details records a view in the audit
trail; every write goes through ``casework.portal.services``, which audits it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.portal import forms, queries, services
from casework.portal.forms import CHECK, PARTIES, STEP_BY_SLUG, PartyForm, ReferralFilterForm, step_url
from casework.portal.report_views import issued_row
from casework.referrals import letters, presenters
from casework.referrals.choices import (
    STATUS_TAG_COLOUR,
    PartyRole,
    Status,
)
from casework.referrals.forms import DocumentUploadForm
from casework.referrals.models import Referral
from casework.referrals.presenters import service_labels
from casework.referrals.services.documents import DocumentRefused, agency_document_upload, human_size
from casework.referrals.services.intake import draft_start
from casework.reports.register_queries import issued_for_referral

GET_POST = ["GET", "POST"]
DRAFTS_ON_LIST = 5

# What each status means to the agency that referred.
STATUS_MEANING = {
    Status.RECEIVED: "The clinic has received the referral. A referrals coordinator will screen it.",
    Status.SCREENING: "A referrals coordinator is checking whether the clinic can take the referral.",
    Status.AWAITING_INFORMATION: "The clinic has asked you for more information before it can decide. "
    "You can answer it on this page.",
    Status.ACCEPTED: "The clinic has accepted the referral and will allocate it to a clinician.",
    Status.ALLOCATED: "The referral has been allocated to a clinician, who will contact you about the next steps.",
    Status.DECLINED: "The clinic cannot take this referral. The letter below explains why.",
    Status.WITHDRAWN: "The referral was withdrawn.",
    Status.CLOSED: "The referral is closed.",
}


# --- Helpers -------------------------------------------------------------------------------


def _require_portal(request: HttpRequest) -> None:
    if not request.user.has_perm("referrals.use_portal"):
        raise PermissionDenied


def _returning(request: HttpRequest) -> bool:
    return request.GET.get("return") == CHECK


def _back_href(referral: Referral, slug: str, returning: bool) -> str:
    if returning:
        return step_url(referral, CHECK)
    previous = forms.previous_slug(slug)
    return step_url(referral, previous) if previous else reverse("portal:referrals")


def draft_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Load the user's own draft for ``draft_id`` (404 for anyone else's), or send the user to
    the referral's page if it has been sent since."""

    @wraps(view)
    def wrapper(request: HttpRequest, draft_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_portal(request)
        referral = queries.draft_for(request.user, draft_id)
        if referral is None:
            raise Http404
        if not request.user.has_perm("referrals.portal_edit_draft", referral):
            if referral.status != Status.DRAFT:
                messages.info(request, f"This referral has already been sent. Its reference is {referral.reference}.")
                return redirect("portal:detail", reference=referral.reference)
            raise PermissionDenied
        return view(request, referral, *args, **kwargs)

    return wrapper


def _referral(request: HttpRequest, reference: str) -> Referral:
    """A submitted referral of the user's organisation, or 404."""
    _require_portal(request)
    referral = queries.referral_for(request.user, reference)
    if referral is None:
        raise Http404
    if not request.user.has_perm("referrals.portal_follow_referral", referral):
        raise PermissionDenied
    return referral


def clinic_contact() -> dict[str, str]:
    """How the agency reaches the clinic: the telephone and secure email its letters give
    (settings ``CLINIC_PHONE``, ``CLINIC_SECURE_EMAIL``)."""
    return {"telephone": settings.CLINIC_PHONE or "", "email": settings.CLINIC_SECURE_EMAIL or ""}


def initials(referral: Referral) -> str:
    letters = [part[0].upper() for part in (referral.subject_given_name, referral.subject_family_name) if part]
    return " ".join(letters) or "Not given"


def answer_sections(referral: Referral, *, editable: bool) -> list[dict[str, Any]]:
    """What the referral says, page by page (the presenter the staff page shares); ``editable``
    adds check your answers' "Change" links (each returns there after the change)."""
    if not editable:
        return presenters.answer_sections(referral)
    links = presenters.ChangeLinks(
        page=lambda slug: step_url(referral, slug, returning=True),
        party=lambda index: (
            reverse("portal:party_change", kwargs={"draft_id": referral.pk, "index": index}) + "?return=check"
        ),
        parties=step_url(referral, PARTIES, returning=True),
    )
    return presenters.answer_sections(referral, blank="Not answered", contact_title="Your contact details", links=links)


def _draft_rows(drafts) -> list[dict[str, Any]]:
    return [
        {
            "referral": draft,
            "initials": initials(draft),
            "continue_href": step_url(draft, forms.resume_at(draft)),
            "delete_href": reverse("portal:discard", kwargs={"draft_id": draft.pk}),
        }
        for draft in drafts
    ]


def _referral_rows(referrals) -> list[dict[str, Any]]:
    return [
        {
            "referral": referral,
            "initials": initials(referral),
            "services": service_labels(referral.services),
            "status": Status(referral.status).label,
            "tag_colour": STATUS_TAG_COLOUR.get(Status(referral.status), "grey"),
        }
        for referral in referrals
    ]


# --- Your referrals -------------------------------------------------------------------------


@never_cache
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """The organisation's referrals (paginated, filter by status) and the user's own drafts."""
    _require_portal(request)
    # Nobody signed out has the portal permission.
    assert isinstance(request.user, User)
    form = ReferralFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    page = paginate(request, queries.organisation_referrals(request.user, status=status))
    drafts = queries.own_drafts(request.user)
    draft_count = drafts.count()
    record(
        action=Action.VIEW,
        request=request,
        object_type="referrals.referral",
        object_label=f"portal referral list, page {page.number}",
    )
    return render(
        request,
        "portal/referral_list.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "rows": _referral_rows(page.object_list),
            "drafts": _draft_rows(drafts[:DRAFTS_ON_LIST]) if draft_count else [],
            "draft_count": draft_count,
            "organisation": request.user.organisation,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    _require_portal(request)
    page = paginate(request, queries.own_drafts(request.user))
    record(
        action=Action.VIEW,
        request=request,
        object_type="referrals.referral",
        object_label=f"portal draft list, page {page.number}",
    )
    return render(
        request,
        "portal/draft_list.jinja",
        {
            "page": page,
            "links": page_links(request, page),
            "drafts": _draft_rows(page.object_list),
        },
    )


# --- Refer a case ----------------------------------------------------------------------------


@never_cache
@require_http_methods(GET_POST)
@creates_record
def start(request: HttpRequest) -> HttpResponse:
    """What the referral will ask for; "Start now" makes a draft only this user can see."""
    _require_portal(request)
    if request.method == "POST":
        referral = draft_start(by=request.user, request=request)
        return redirect(step_url(referral, forms.FIRST))
    return render(request, "portal/start.jinja", {"steps": forms.STEPS})


@never_cache
@require_http_methods(GET_POST)
@draft_view
def step(request: HttpRequest, referral: Referral, step: str) -> HttpResponse:
    spec = STEP_BY_SLUG.get(step)
    if spec is None or spec.form_class is None:
        raise Http404
    returning = _returning(request)
    form_class = spec.form_class
    if request.method == "POST":
        form = form_class(request.POST, referral=referral, user=request.user)
        if form.is_valid():
            following = forms.next_slug(spec.slug)
            services.portal_save_step(
                referral=referral,
                by=request.user,
                request=request,
                step=forms.furthest(referral.portal_step, following),
                **form.to_save(),
            )
            return redirect(step_url(referral, CHECK if returning else following))
    else:
        form = form_class(initial=form_class.initial_from(referral), referral=referral, user=request.user)
        record_view(request, referral)
    return render(
        request,
        spec.template,
        {
            "form": form,
            "referral": referral,
            "spec": spec,
            "back_href": _back_href(referral, spec.slug, returning),
            "question_number": forms.position(spec.slug) + 1,
            "question_count": len(forms.STEPS),
        },
        status=400 if form.errors else 200,
    )


# --- Other people involved -------------------------------------------------------------------


def _parties(referral: Referral) -> list[dict[str, Any]]:
    return [
        {k: getattr(p, k) for k in ("role", "name", "relationship_to_subject", "details")}
        for p in referral.named_parties.all()
    ]


def _party_rows(referral: Referral, parties: list[dict[str, Any]], returning: bool) -> list[dict[str, Any]]:
    suffix = "?return=check" if returning else ""
    rows = []
    for index, party in enumerate(parties, start=1):
        kwargs = {"draft_id": referral.pk, "index": index}
        rows.append(
            {
                "party": party,
                "role": PartyRole(party["role"]).label if party["role"] in PartyRole.values else "",
                "change_href": reverse("portal:party_change", kwargs=kwargs) + suffix,
                "remove_href": reverse("portal:party_remove", kwargs=kwargs) + suffix,
            }
        )
    return rows


@never_cache
@require_http_methods(GET_POST)
@draft_view
@creates_record
def parties(request: HttpRequest, referral: Referral) -> HttpResponse:
    """The people the referral names: add them one at a time, then continue."""
    returning = _returning(request)
    named = _parties(referral)
    form = PartyForm()
    if request.method == "POST":
        if request.POST.get("action") == "continue":
            following = forms.next_slug(PARTIES)
            services.portal_save_step(
                referral=referral,
                by=request.user,
                request=request,
                step=forms.furthest(referral.portal_step, following),
            )
            return redirect(step_url(referral, CHECK if returning else following))
        form = PartyForm(request.POST)
        if len(named) >= forms.MAX_PARTIES:
            form.is_valid()
            form.add_error(
                None,
                f"You can name up to {forms.MAX_PARTIES} people. "
                "Give details of anyone else in the behaviour description.",
            )
        elif form.is_valid():
            services.portal_save_step(
                referral=referral,
                by=request.user,
                request=request,
                step=referral.portal_step,
                parties=[*named, form.cleaned_data],
            )
            messages.success(request, f"{form.cleaned_data['name']} added")
            return redirect(step_url(referral, PARTIES, returning=returning))
    else:
        record_view(request, referral)
    return render(
        request,
        "portal/step_parties.jinja",
        {
            "form": form,
            "referral": referral,
            "rows": _party_rows(referral, named, returning),
            "at_limit": len(named) >= forms.MAX_PARTIES,
            "returning": returning,
            "back_href": _back_href(referral, PARTIES, returning),
            "question_number": forms.position(PARTIES) + 1,
            "question_count": len(forms.STEPS),
        },
        status=400 if form.errors else 200,
    )


def _party_or_404(referral: Referral, index: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    named = _parties(referral)
    if not 1 <= index <= len(named):
        raise Http404
    return named, named[index - 1]


@never_cache
@require_http_methods(GET_POST)
@draft_view
def party_change(request: HttpRequest, referral: Referral, index: int) -> HttpResponse:
    named, party = _party_or_404(referral, index)
    returning = _returning(request)
    back = step_url(referral, CHECK) if returning else step_url(referral, PARTIES)
    if request.method == "POST":
        form = PartyForm(request.POST)
        if form.is_valid():
            named[index - 1] = form.cleaned_data
            services.portal_save_step(
                referral=referral,
                by=request.user,
                request=request,
                step=referral.portal_step,
                parties=named,
            )
            return redirect(back)
    else:
        form = PartyForm(initial=PartyForm.initial_from_party(party))
        record_view(request, referral)
    return render(
        request,
        "portal/party_change.jinja",
        {
            "form": form,
            "referral": referral,
            "index": index,
            "back_href": back,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(GET_POST)
@draft_view
def party_remove(request: HttpRequest, referral: Referral, index: int) -> HttpResponse:
    named, party = _party_or_404(referral, index)
    returning = _returning(request)
    back = step_url(referral, PARTIES, returning=returning)
    if request.method == "POST":
        del named[index - 1]
        services.portal_save_step(
            referral=referral,
            by=request.user,
            request=request,
            step=referral.portal_step,
            parties=named,
        )
        messages.success(request, f"{party['name']} removed")
        return redirect(back)
    record_view(request, referral)
    return render(
        request,
        "portal/party_remove.jinja",
        {
            "referral": referral,
            "party": party,
            "back_href": back,
        },
    )


# --- Check your answers, send ------------------------------------------------------------------


@never_cache
@require_http_methods(GET_POST)
@draft_view
@creates_record
def check(request: HttpRequest, referral: Referral) -> HttpResponse:
    problems = forms.problems_with(referral, request.user)
    if request.method == "POST" and not problems:
        try:
            sent = services.portal_submit(referral=referral, by=request.user, request=request)
        except services.AlreadySent:
            raise Http404 from None
        return redirect("portal:confirmation", reference=sent.reference)
    if request.method == "GET":
        record_view(request, referral)
    problem_links = [
        {"text": f"{p.step.title}: {message}", "href": step_url(referral, p.step.slug, returning=True)}
        for p in problems
        for message in p.messages
    ]
    return render(
        request,
        "portal/check.jinja",
        {
            "referral": referral,
            "sections": answer_sections(referral, editable=True),
            "problems": problem_links,
            "refused": request.method == "POST",
            "back_href": step_url(referral, forms.STEPS[-1].slug),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(GET_POST)
@draft_view
def discard(request: HttpRequest, referral: Referral) -> HttpResponse:
    if request.method == "POST":
        try:
            services.portal_discard(referral=referral, by=request.user, request=request)
        except services.AlreadySent:
            raise Http404 from None
        messages.success(request, "Draft referral deleted")
        return redirect("portal:referrals")
    record_view(request, referral)
    return render(
        request,
        "portal/discard.jinja",
        {
            "referral": referral,
            "initials": initials(referral),
            "back_href": reverse("portal:referrals"),
        },
    )


@never_cache
@require_GET
def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _referral(request, reference)
    return render(
        request,
        "portal/confirmation.jinja",
        {
            "referral": referral,
            "progress": queries.progress(referral),
            "contact": clinic_contact(),
        },
    )


# --- Following a referral ----------------------------------------------------------------------


@never_cache
@require_GET
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The status of one referral as the referring agency should see it: what it sent, where
    the referral has got to and when, and the letters issued to it; once allocated, the lead
    clinician's name and the clinic's contact details, and when a case was opened. Never staff
    reasons or notes, other staff's names, or anything from the case."""
    referral = _referral(request, reference)
    record_view(request, referral)
    status = Status(referral.status)
    letters = list(queries.letters_for(referral))
    reports = [issued_row(request.user, issued) for issued in issued_for_referral(request.user, referral)]
    return render(
        request,
        "portal/referral_detail.jinja",
        {
            "referral": referral,
            "status": status,
            "status_meaning": STATUS_MEANING.get(status, ""),
            "tag_colour": STATUS_TAG_COLOUR.get(status, "grey"),
            "history": queries.status_history(referral),
            "progress": queries.progress(referral),
            "contact": clinic_contact(),
            "letters": letters,
            "reports": reports,
            "question": queries.question(referral),
            "can_answer": request.user.has_perm("referrals.portal_answer_request", referral),
            "answers": queries.answers_sent(request.user, referral),
            "documents": queries.documents_sent(request.user, referral),
            "human_size": human_size,
            "can_upload": request.user.has_perm("referrals.portal_upload_document", referral),
            "services": service_labels(referral.services),
            # What the agency sent, as received — never the referral as staff have since edited it.
            "sections": referral.as_sent or answer_sections(referral, editable=False),
        },
    )


@never_cache
@require_GET
def letter(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    referral = _referral(request, reference)
    issued = queries.letter_for(referral, letter_id)
    if issued is None:
        raise Http404
    record_view(request, issued)
    return render(request, "portal/letter.jinja", {"referral": referral, "letter": issued})


@never_cache
@require_GET
def letter_pdf(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    """The letter as a PDF to keep on the agency's own file. Audited as an export."""
    referral = _referral(request, reference)
    issued = queries.letter_for(referral, letter_id)
    if issued is None:
        raise Http404
    pdf = letters.letter_pdf(issued)
    record(action=Action.EXPORT, request=request, obj=issued, reason="Letter downloaded as PDF through the portal")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}-{issued.kind}-{issued.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Sending the clinic documents and answers ----------------------------------------------------


@never_cache
@require_http_methods(GET_POST)
@creates_record
def document_upload(request: HttpRequest, reference: str) -> HttpResponse:
    """Send the clinic a document for the referral (until it is closed): checked, scanned for
    malware and stored as the clinic's own uploads are (``agency_document_upload``)."""
    referral = _referral(request, reference)
    require(request.user, "referrals.portal_upload_document", referral)
    posted = request.method == "POST"
    form = DocumentUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            agency_document_upload(
                referral=referral,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
                by=request.user,
                request=request,
            )
        except DocumentRefused as refused:
            show_refusal(form, refused, field_map={"uploaded": "file"})
        else:
            messages.success(request, "Document sent to the clinic")
            return redirect("portal:detail", reference=referral.reference)
    return render(
        request,
        "portal/document_upload.jinja",
        {"referral": referral, "form": form},
        status=400 if form.is_bound else 200,
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def answer(request: HttpRequest, reference: str) -> HttpResponse:
    """Answer the clinic's request for more information (while it awaits it), with a document if
    there is one. The referral goes back to screening and the clinic sees the answer on its page."""
    referral = _referral(request, reference)
    require(request.user, "referrals.portal_answer_request", referral)
    posted = request.method == "POST"
    form = forms.AnswerRequestForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            services.portal_answer_request(
                referral=referral,
                by=request.user,
                request=request,
                answer=form.cleaned_data["answer"],
                uploaded=form.cleaned_data.get("file"),
                kind=form.cleaned_data.get("kind") or "",
            )
        except Refused as refused:
            show_refusal(form, refused, field_map={"uploaded": "file"})
        else:
            messages.success(request, "Your answer has been sent to the clinic")
            return redirect("portal:detail", reference=referral.reference)
    if not posted:
        record_view(request, referral)
    return render(
        request,
        "portal/answer.jinja",
        {
            "referral": referral,
            "form": form,
            "question": queries.question(referral),
            "letters": list(queries.letters_for(referral)),
        },
        status=400 if form.is_bound else 200,
    )
