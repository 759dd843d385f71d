"""What the referral views share."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from casework.access import policy
from casework.referrals.models import Referral
from casework.referrals.queries import staff_referrals


def referral_or_404(request: HttpRequest, reference: str) -> Referral:
    """The referral, if this user may see it on the staff side; otherwise 404, which says nothing
    about whether it exists (a refused request for one that does is audited)."""
    if not request.user.has_perm("referrals.view_list"):
        raise Http404("No such referral")
    return policy.get_or_404(request, Referral, queryset=staff_referrals(request.user), reference=reference)


def error_summary(*forms) -> list[dict[str, str]]:
    """The NHS error summary's items for one or more bound forms and formsets."""
    items: list[dict[str, str]] = []
    for form in forms:
        if form is not None and form.is_bound:
            items.extend(form.error_summary())
    return items
