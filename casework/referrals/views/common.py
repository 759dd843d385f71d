"""What the referral views share."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from casework.referrals.models import Referral
from casework.referrals.queries import staff_referral


def referral_or_404(request: HttpRequest, reference: str) -> Referral:
    """The referral, if this user may see it on the staff side; otherwise 404, which says nothing
    about whether it exists."""
    referral = staff_referral(request.user, reference)
    if referral is None:
        raise Http404("No such referral")
    return referral


def error_summary(*forms) -> list[dict[str, str]]:
    """The NHS error summary's items for one or more bound forms and formsets."""
    items: list[dict[str, str]] = []
    for form in forms:
        if form is not None and form.is_bound:
            items.extend(form.error_summary())
    return items
