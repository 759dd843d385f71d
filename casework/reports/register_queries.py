"""Readers for the disclosure register (/reports/register/) and for the reports issued to an
agency (/portal/reports/).

- The register lists the ``DisclosureEntry`` rows of the cases the user may read
  (``policy.visible``: the entry belongs to its case) and the letters sent to referrers of the
  referrals they may read (a letter belongs to its referral), filtered and searched, as one list.
- The portal lists the ``IssuedReport`` rows addressed to the agency user's own organisation. An
  agency referrer is related to no case (``access.scopes``), so ``policy.visible`` gives them no
  issued report; the portal's answer is narrower and separate: the recipient is their organisation
  (never another's), and the report's case is not across an information barrier from a referral
  they sent (``barrier.across_ids``, as their referrals are).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, CharField, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from casework.access import barrier, policy
from casework.access.vocabulary import PERPETRATOR_CASE
from casework.assessments.choices import AssessmentStatus
from casework.assessments.models import Assessment, ManagementPlan, PlanAction
from casework.referrals.models import DeliveryChannel, Letter
from casework.reports.choices import DisclosureMethod, LegalBasis
from casework.reports.models import DisclosureEntry, IssuedReport

# --- The disclosure register --------------------------------------------------------------------

# The columns of a register row, in the order both halves of the union select them.
ROW_FIELDS = (
    "source",
    "entry_id",
    "released_at",
    "case_reference",
    "referral_reference",
    "recipient_organisation",
    "recipient_name",
    "method",
    "legal_basis",
    "description",
    "released_by_name",
    "issue_number",
    "note",
)
ENTRY = "disclosure"
LETTER = "letter"


def disclosures_visible_to(user) -> QuerySet[DisclosureEntry]:
    return policy.visible(user, DisclosureEntry)


def letters_released_visible_to(user) -> QuerySet[Letter]:
    """The letters to referrers (acceptance, decline, request for information) handed to GOV.UK
    Notify, of the referrals the user may read: each is a release of a document outside the
    clinic, and the register lists it beside the case disclosures. (A letter follows its referral,
    a disclosure entry its case; each half is scoped by the access rules of its own anchor.)"""
    return policy.visible(user, Letter).filter(sent_at__isnull=False)


def register_rows(
    user,
    *,
    q: str = "",
    method: str = "",
    legal_basis: str = "",
    released_from: dt.date | None = None,
    released_to: dt.date | None = None,
) -> QuerySet:
    """The register as ``user`` may see it, newest release first, as rows of ``ROW_FIELDS``: the
    case disclosures (reports issued and downloaded, compliance notices) and the letters sent to
    referrers, searched by case or referral reference and recipient (the organisation; also the
    officer's name for those who see that column), filtered by method, legal basis and the dates
    of release (inclusive, UK time)."""
    if not user.has_perm("reports.view_register"):
        return DisclosureEntry.objects.none().values(*ROW_FIELDS)
    details = user.has_perm("reports.view_register_details")
    entries = _entry_rows(disclosures_visible_to(user), q.strip(), details)
    letters = _letter_rows(letters_released_visible_to(user), q.strip(), details)
    if method:
        entries, letters = entries.filter(method=method), letters.filter(method=method)
    if legal_basis:
        entries, letters = entries.filter(legal_basis=legal_basis), letters.filter(legal_basis=legal_basis)
    if released_from:
        entries = entries.filter(released_at__date__gte=released_from)
        letters = letters.filter(sent_at__date__gte=released_from)
    if released_to:
        entries = entries.filter(released_at__date__lte=released_to)
        letters = letters.filter(sent_at__date__lte=released_to)
    # Each half unordered (a part of a compound statement may not be), the whole ordered.
    both = entries.values(*ROW_FIELDS).order_by().union(letters.values(*ROW_FIELDS).order_by(), all=True)
    return both.order_by("-released_at", "-entry_id")


def _text(value) -> Value:
    return Value(value, output_field=CharField())


def _entry_rows(rows: QuerySet[DisclosureEntry], text: str, details: bool) -> QuerySet:
    if text:
        found = Q(case__reference__icontains=text) | Q(recipient__name__icontains=text)
        if details:
            found |= Q(recipient_name__icontains=text)
        rows = rows.filter(found)
    return rows.annotate(
        source=_text(ENTRY),
        entry_id=F("pk"),
        case_reference=F("case__reference"),
        referral_reference=_text(None),
        recipient_organisation=F("recipient__name"),
        released_by_name=F("released_by__full_name"),
        issue_number=F("issued_report__number"),
    )


def _letter_rows(rows: QuerySet[Letter], text: str, details: bool) -> QuerySet:
    if text:
        found = Q(referral__reference__icontains=text) | Q(referral__referring_organisation__name__icontains=text)
        if details:
            found |= Q(referral__referrer_name__icontains=text)
        rows = rows.filter(found)
    channel_method = Case(
        When(delivery_channel=DeliveryChannel.POST, then=_text(DisclosureMethod.POST)),
        default=_text(DisclosureMethod.NOTIFY_EMAIL),
    )
    kind_label = Case(*[When(kind=kind, then=_text(label)) for kind, label in Letter.Kind.choices], default=_text(""))
    return rows.annotate(
        source=_text(LETTER),
        entry_id=F("pk"),
        released_at=F("sent_at"),
        case_reference=_text(None),
        referral_reference=F("referral__reference"),
        recipient_organisation=F("referral__referring_organisation__name"),
        recipient_name=F("referral__referrer_name"),
        method=channel_method,
        legal_basis=_text(LegalBasis.REFERRAL),
        description=Concat(kind_label, _text(", sent to the referrer"), output_field=CharField()),
        released_by_name=F("issued_by__full_name"),
        issue_number=Value(None, output_field=IntegerField()),
        note=_text(""),
    )


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


def assessments_released_to_organisation(user) -> QuerySet[Assessment]:
    """The signed assessments an agency account may read as FHIR (docs/adr/0023-agency-api.md,
    "What is released to an agency"): for each report issued to its organisation
    (``issued_to_organisation``: its own, none across a barrier) on a perpetrator case, the latest
    assessment of that case signed when the report was issued, which is the one the report's risk
    sections rest on. Never a draft, never one signed after the issue, never a victim's or a
    consultation's (a victim case reaches an agency only as the report it was sent). Two queries,
    however many reports."""
    issues = list(
        issued_to_organisation(user)
        .filter(report__request__case__kind=PERPETRATOR_CASE)
        .prefetch_related(None)
        .order_by()
        .values_list("report__request__case_id", "issued_at")
    )
    if not issues:
        return Assessment.objects.none()
    signed: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for pk, case_id, signed_at in (
        Assessment.objects.filter(status=AssessmentStatus.SIGNED, case_id__in={case_id for case_id, _ in issues})
        .order_by("-signed_at", "-id")
        .values_list("pk", "case_id", "signed_at")
    ):
        if signed_at is not None:
            signed[case_id].append((signed_at, pk))
    released = set()
    for case_id, issued_at in issues:
        latest = next((pk for signed_at, pk in signed[case_id] if signed_at <= issued_at), None)
        if latest is not None:
            released.add(latest)
    return Assessment.objects.filter(pk__in=released).order_by("signed_at", "id")


def plans_of_assessments(assessment_ids: list[int]) -> QuerySet[ManagementPlan]:
    """The plans of assessments already released (``assessments_released_to_organisation``), each
    with its actions in the order the assessment page gives them."""
    actions = PlanAction.objects.order_by("area", "due_on", "id")
    return (
        ManagementPlan.objects.filter(assessment_id__in=assessment_ids)
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("id")
    )
