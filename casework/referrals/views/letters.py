"""Letters to the referrer: read in the page, printed, or downloaded as a PDF. Each audited."""

from __future__ import annotations

import base64
import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.audit.models import Action
from casework.audit.services import record
from casework.referrals import letters as letter_module
from casework.referrals.queries import letter_of
from casework.referrals.views.common import referral_or_404


def _letter_or_404(request: HttpRequest, reference: str, pk: int):
    referral = referral_or_404(request, reference)
    if not request.user.has_perm("referrals.view", referral):
        raise Http404("No such letter")
    letter = letter_of(referral, pk)
    if letter is None:
        raise Http404("No such letter")
    return referral, letter


@require_GET
@never_cache
def letter(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    referral, letter = _letter_or_404(request, reference, pk)
    record(action=Action.VIEW, request=request, obj=letter)
    return render(
        request,
        "referrals/letter.jinja",
        {"referral": referral, "letter": letter, "marking": letter_module.PROTECTIVE_MARKING},
    )


@require_GET
@never_cache
def letter_print(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The letter alone, laid out for the browser's print command. Audited as a print."""
    _, letter = _letter_or_404(request, reference, pk)
    record(action=Action.PRINT, request=request, obj=letter)
    response = HttpResponse(letter_module.letter_document_html(letter, screen_note=True))
    digest = base64.b64encode(hashlib.sha256(letter_module.LETTER_CSS.encode()).digest()).decode()
    # The letter's own stylesheet is inline; allow exactly that stylesheet and nothing else.
    # django-csp reads this attribute of the response, which HttpResponse's type cannot declare.
    response._csp_update = {"style-src": [f"'sha256-{digest}'"]}  # type: ignore[attr-defined]
    return response


@require_GET
@never_cache
def letter_pdf(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    referral, letter = _letter_or_404(request, reference, pk)
    pdf = letter_module.letter_pdf(letter)
    record(action=Action.EXPORT, request=request, obj=letter, reason="Letter downloaded as PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}-{letter.kind}-{letter.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
