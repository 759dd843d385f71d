"""Uploading a document to a referral, and downloading one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from casework.core.idempotency import creates_record
from casework.core.permissions import require
from casework.core.refusals import show_refusal
from casework.referrals.forms import DocumentUploadForm
from casework.referrals.models import ReferralDocument
from casework.referrals.queries import document_of
from casework.referrals.services.documents import DocumentHeld, DocumentRefused, document_download, document_upload
from casework.referrals.views.common import error_summary, referral_or_404

# A held document answers 423 Locked with a page that says why, never the file.
HELD_STATUS = 423


@require_http_methods(["GET", "POST"])
@creates_record
def upload(request: HttpRequest, reference: str) -> HttpResponse:
    referral = referral_or_404(request, reference)
    require(request.user, "referrals.upload_document", referral)
    posted = request.method == "POST"
    form = DocumentUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                document_upload(
                    referral=referral,
                    kind=form.cleaned_data["kind"],
                    uploaded=form.cleaned_data["file"],
                    by=request.user,
                    request=request,
                )
            except DocumentRefused as refused:
                show_refusal(form, refused, field_map={"uploaded": "file"})
            else:
                messages.success(request, "Document added")
                return redirect("referrals:detail", reference=referral.reference)
    return render(
        request,
        "referrals/document_upload.jinja",
        {"referral": referral, "form": form, "errors": error_summary(form)},
        status=400 if form.is_bound else 200,
    )


@require_GET
def download(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    referral = referral_or_404(request, reference)
    if not request.user.has_perm("referrals.view", referral):
        raise Http404("No such document")
    document = document_of(referral, pk)
    if document is None:
        raise Http404("No such document")
    return serve_document(
        request,
        document,
        back_href=reverse("referrals:detail", args=[referral.reference]),
        back_text="Back to the referral",
    )


def serve_document(
    request: HttpRequest, document: ReferralDocument, *, back_href: str, back_text: str
) -> HttpResponseBase:
    """The file, or (not yet scanned, or quarantined) a page that says why it cannot be had."""
    try:
        return document_download(document=document, by=request.user, request=request)
    except DocumentHeld:
        return render(
            request,
            "referrals/document_held.jinja",
            {"document": document, "back_href": back_href, "back_text": back_text},
            status=HELD_STATUS,
        )
