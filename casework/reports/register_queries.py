"""Readers for the disclosure register (/reports/register/) and for the reports issued to an
agency (/portal/reports/).

- The register lists the ``DisclosureEntry`` rows of the cases the user may read
  (``policy.visible``: the entry belongs to its case), filtered and searched.
- The portal lists the ``IssuedReport`` rows addressed to the agency user's own organisation. An
  agency referrer is related to no case (``access.scopes``), so ``policy.visible`` gives them no
  issued report; the portal's answer is narrower and separate: the recipient is their organisation
  (never another's), and the report's case is not across an information barrier from a referral
  they sent (``barrier.across_ids``, as their referrals are).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from casework.access import barrier, policy
from casework.reports.models import DisclosureEntry, IssuedReport

# --- The disclosure register --------------------------------------------------------------------


def disclosures_visible_to(user) -> QuerySet[DisclosureEntry]:
    return policy.visible(user, DisclosureEntry)


def register_rows(
    user,
    *,
    q: str = "",
    method: str = "",
    legal_basis: str = "",
    released_from: dt.date | None = None,
    released_to: dt.date | None = None,
) -> QuerySet[DisclosureEntry]:
    """The register as ``user`` may see it, newest release first: searched by case reference and
    recipient (the organisation; also the officer's name for those who see that column), filtered
    by method, legal basis and the dates of release (inclusive, UK time)."""
    if not user.has_perm("reports.view_register"):
        return DisclosureEntry.objects.none()
    rows = disclosures_visible_to(user)
    text = q.strip()
    if text:
        found = Q(case__reference__icontains=text) | Q(recipient__name__icontains=text)
        if user.has_perm("reports.view_register_details"):
            found |= Q(recipient_name__icontains=text)
        rows = rows.filter(found)
    if method:
        rows = rows.filter(method=method)
    if legal_basis:
        rows = rows.filter(legal_basis=legal_basis)
    if released_from:
        rows = rows.filter(released_at__date__gte=released_from)
    if released_to:
        rows = rows.filter(released_at__date__lte=released_to)
    return rows.select_related("case", "recipient", "released_by", "issued_report").order_by("-released_at", "-id")


# --- Reports issued to an agency ----------------------------------------------------------------


def issued_to_organisation(user) -> QuerySet[IssuedReport]:
    """The issued reports addressed to the agency user's organisation, newest first, with what
    the portal shows (the request, the issue that replaced each one)."""
    organisation_id = getattr(user, "organisation_id", None)
    if not user.has_perm("reports.portal_list_issued") or not organisation_id:
        return IssuedReport.objects.none()
    rows = IssuedReport.objects.filter(recipient_id=organisation_id)
    across = barrier.across_ids(user)
    if across:
        rows = rows.exclude(report__request__case_id__in=across)
    return (
        rows.select_related("report__request__source_referral")
        .prefetch_related(Prefetch("replaced_by", queryset=IssuedReport.objects.order_by("number")))
        .order_by("-issued_at", "-id")
    )


def issued_for_referral(user, referral) -> QuerySet[IssuedReport]:
    """The reports issued to the user's organisation from the case that holds ``referral``."""
    return issued_to_organisation(user).filter(report__request__case__case_referrals__referral=referral)


def issued_for_download(user, pk: int) -> IssuedReport | None:
    return issued_to_organisation(user).select_related("report__request__case").filter(pk=pk).first()
