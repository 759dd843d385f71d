"""Readers for contracts, tariffs and quotes. Every queryset that reaches a user is scoped here
(deny by default).

Contracts, tariffs and quotes hold no personal data (organisations, references, services, dates and
amounts), so they are not registered with ``casework.access``: their scope is written here, by
permission. Finance officers see every quote; an agency referrer sees the quotes sent under their
own organisation's contracts, except one for a referral across an information barrier from their
side (``access.barrier``), as the portal hides such a referral itself. The referral a finance page
shows is reduced to its reference, status, dates, organisations and requested services
(``referral_for_finance``): never the subject, the parties or anything clinical.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from casework.access import barrier
from casework.billing.choices import LIVE_QUOTE_STATUSES, QuoteStatus
from casework.billing.models import Contract, Quote, QuoteLine, Tariff
from casework.cases.models import CaseReferral
from casework.organisations.models import Organisation
from casework.organisations.queries import organisations_visible_to
from casework.referrals.choices import Status
from casework.referrals.models import Referral

# Referrals the clinic may still quote for: submitted and not declined, withdrawn or closed.
QUOTABLE_REFERRAL_STATUSES = (
    Status.RECEIVED,
    Status.SCREENING,
    Status.AWAITING_INFORMATION,
    Status.ACCEPTED,
    Status.ALLOCATED,
)
# What a finance page may read of a referral.
FINANCE_REFERRAL_FIELDS = (
    "id",
    "reference",
    "status",
    "received_at",
    "referring_organisation__name",
    "commissioner__name",
    "purchase_order",
    "contract_reference",
    "assessment_setting",
)
ENDING_SOON_DAYS = 60


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# --- Contracts and tariffs ------------------------------------------------------------------------


def contracts_visible_to(user) -> QuerySet[Contract]:
    if not _active(user) or not user.has_perm("billing.view_contracts"):
        return Contract.objects.none()
    return Contract.objects.select_related("organisation")


def contracts_filtered(queryset: QuerySet[Contract], *, search: str = "", current_on: dt.date | None = None):
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(Q(reference__icontains=search) | Q(organisation__name__icontains=search))
    if current_on is not None:
        queryset = queryset.filter(starts_on__lte=current_on, ends_on__gte=current_on)
    return queryset.order_by("organisation__name", "-starts_on", "id")


def contract_for_page(user, pk: int) -> Contract | None:
    return contracts_visible_to(user).filter(pk=pk).first()


def contracts_ending_soon(user, today: dt.date) -> QuerySet[Contract]:
    """Contracts in force today that end within ``ENDING_SOON_DAYS`` days, soonest first."""
    return (
        contracts_visible_to(user)
        .filter(starts_on__lte=today, ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=ENDING_SOON_DAYS))
        .order_by("ends_on", "id")
    )


def commissioners_for_form(user, current: Contract | None = None) -> QuerySet[Organisation]:
    condition = Q(is_active=True)
    if current is not None:
        condition |= Q(pk=current.organisation_id)
    return organisations_visible_to(user).filter(condition).order_by("name", "id")


def contracts_for_quote(user, organisation_id: int | None, on: dt.date) -> QuerySet[Contract]:
    """The contracts a quote may be made under: those of the referral's commissioner
    (``commissioner_id``) in force on ``on``."""
    if organisation_id is None:
        return Contract.objects.none()
    return (
        contracts_visible_to(user)
        .filter(organisation_id=organisation_id, starts_on__lte=on, ends_on__gte=on)
        .order_by("reference", "id")
    )


def commissioner_id(referral: Referral) -> int | None:
    """The organisation that pays for ``referral``'s work: its commissioner, or when it names none,
    the organisation that referred."""
    return referral.commissioner_id or referral.referring_organisation_id


def tariffs_visible_to(user) -> QuerySet[Tariff]:
    if not _active(user) or not user.has_perm("billing.view_contracts"):
        return Tariff.objects.none()
    return Tariff.objects.all()


def tariffs_for_list(user, *, service: str = "", contract: Contract | None = None) -> QuerySet[Tariff]:
    """The tariff: the clinic's prices, then each contract's (or only ``contract``'s)."""
    queryset = tariffs_visible_to(user).select_related("contract")
    if service:
        queryset = queryset.filter(service=service)
    if contract is not None:
        queryset = queryset.filter(contract=contract)
    return queryset.order_by(F("contract__reference").asc(nulls_first=True), "service", "-effective_from", "id")


def contracts_for_prices(user, current: Tariff | None = None) -> QuerySet[Contract]:
    """The contracts a price may be agreed under: those not yet ended (and the price's own)."""
    condition = Q(ends_on__gte=timezone.localdate())
    if current is not None and current.contract_id:
        condition |= Q(pk=current.contract_id)
    return contracts_visible_to(user).filter(condition).order_by("organisation__name", "reference", "id")


def tariff_for_page(user, pk: int) -> Tariff | None:
    return tariffs_visible_to(user).select_related("contract").filter(pk=pk).first()


def tariff_in_force(service: str, on: dt.date, contract: Contract | None = None) -> Tariff | None:
    """The price of ``service`` in force on ``on``: ``contract``'s own price when it has one in force
    that day, else the clinic's (``contract`` empty), else None. Periods never overlap within the
    clinic's prices or within one contract's, so there is at most one of each (one query)."""
    owners = Q(contract__isnull=True)
    if contract is not None:
        owners |= Q(contract=contract)
    candidates = (
        Tariff.objects.filter(owners, service=service, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by(F("contract_id").desc(nulls_last=True), "-effective_from")
    )
    return candidates.first()


# --- Quotes ---------------------------------------------------------------------------------------


def quotes_visible_to(user) -> QuerySet[Quote]:
    if not _active(user):
        return Quote.objects.none()
    if user.has_perm("billing.view_quotes"):
        return Quote.objects.all()
    if user.has_perm("billing.portal_list_quotes") and user.organisation_id:
        behind = barrier.referrals_behind_barrier_for(user)
        queryset = Quote.objects.filter(contract__organisation_id=user.organisation_id).exclude(
            status=QuoteStatus.DRAFT
        )
        return queryset.exclude(referral_id__in=behind) if behind else queryset
    return Quote.objects.none()


def _for_list(queryset: QuerySet[Quote]) -> QuerySet[Quote]:
    return queryset.select_related("contract__organisation", "referral").only(
        "id",
        "reference",
        "status",
        "quoted_on",
        "total",
        "sent_at",
        "decided_at",
        "contract__reference",
        "contract__organisation__name",
        "referral__reference",
    )


def quotes_for_list(user, *, status: str = "", search: str = "") -> QuerySet[Quote]:
    queryset = quotes_visible_to(user)
    if status:
        queryset = queryset.filter(status=status)
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(
            Q(reference__icontains=search)
            | Q(referral__reference__icontains=search)
            | Q(contract__reference__icontains=search)
            | Q(contract__organisation__name__icontains=search)
        )
    return _for_list(queryset).order_by("-quoted_on", "-id")


def quotes_awaiting_acceptance(user) -> QuerySet[Quote]:
    """Quotes sent and not yet answered, the longest waiting first."""
    return _for_list(quotes_visible_to(user).filter(status=QuoteStatus.SENT)).order_by("sent_at", "id")


def quote_for_page(user, pk: int) -> Quote | None:
    return (
        quotes_visible_to(user)
        .select_related("contract__organisation", "referral", "sent_by", "decided_by", "created_by")
        .prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.order_by("id")))
        .filter(pk=pk)
        .first()
    )


def quotes_of_referral(user, referral_id: int) -> QuerySet[Quote]:
    return _for_list(quotes_visible_to(user).filter(referral_id=referral_id)).order_by("-created_at", "-id")


def live_quote_exists(referral_id: int) -> bool:
    return Quote.objects.filter(referral_id=referral_id, status__in=LIVE_QUOTE_STATUSES).exists()


def committed_on_contract(contract: Contract, *, excluding: Quote | None = None):
    """The totals of the quotes sent or accepted under ``contract`` (what counts against its cap)."""
    queryset = Quote.objects.filter(contract=contract, status__in=(QuoteStatus.SENT, QuoteStatus.ACCEPTED))
    if excluding is not None:
        queryset = queryset.exclude(pk=excluding.pk)
    return list(queryset.values_list("total", flat=True))


# --- Referrals, as finance sees them --------------------------------------------------------------


@dataclass(frozen=True)
class FinanceReferral:
    """A referral as a finance page shows it: no subject, no parties, nothing clinical."""

    pk: int
    reference: str
    status: str
    status_label: str
    received_at: dt.datetime | None
    referring_organisation: str
    commissioner: str
    commissioner_id: int | None
    purchase_order: str
    contract_reference: str
    assessment_setting: str
    services: list[str]


def _referrals_for_finance(user) -> QuerySet[Referral]:
    if not _active(user) or not user.has_perm("billing.view_quotes"):
        return Referral.objects.none()
    return Referral.objects.exclude(status=Status.DRAFT).select_related("referring_organisation", "commissioner")


def referrals_to_quote(user, *, search: str = "") -> QuerySet[Referral]:
    """Referrals the clinic may quote for that have no live quote yet, oldest first."""
    queryset = (
        _referrals_for_finance(user)
        .filter(status__in=QUOTABLE_REFERRAL_STATUSES)
        .exclude(quotes__status__in=LIVE_QUOTE_STATUSES)
    )
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(reference__icontains=search)
    return queryset.only(*FINANCE_REFERRAL_FIELDS).order_by("received_at", "id")


def referral_for_finance(user, reference: str) -> FinanceReferral | None:
    referral = (
        _referrals_for_finance(user)
        .filter(reference=reference)
        .only(*FINANCE_REFERRAL_FIELDS, "commissioner_id", "referring_organisation_id")
        .prefetch_related("requested_services")
        .first()
    )
    if referral is None:
        return None
    return FinanceReferral(
        pk=referral.pk,
        reference=referral.reference,
        status=referral.status,
        status_label=referral.get_status_display(),
        received_at=referral.received_at,
        referring_organisation=referral.referring_organisation.name,
        commissioner=referral.commissioner.name if referral.commissioner else "",
        commissioner_id=commissioner_id(referral),
        purchase_order=referral.purchase_order,
        contract_reference=referral.contract_reference,
        assessment_setting=referral.get_assessment_setting_display() if referral.assessment_setting else "",
        services=[s.get_service_display() for s in referral.requested_services.all()],
    )


def referral_for_quote(user, reference: str) -> Referral | None:
    """The referral itself, for the quote services (which read its status and organisations only)."""
    return (
        _referrals_for_finance(user)
        .filter(reference=reference)
        .only(*FINANCE_REFERRAL_FIELDS, "commissioner_id", "referring_organisation_id")
        .first()
    )


# --- The quote's state on the staff referral and case pages (billing.panels) ----------------------


def latest_quote_of_referral(referral_id: int) -> Quote | None:
    """The referral's live quote (draft, sent or accepted: at most one), else its latest quote
    (rejected or withdrawn), else None. For the panels, whose callers have already decided the
    user may see the referral; what of it they show is decided there (``billing.panels``)."""
    quotes = Quote.objects.filter(referral_id=referral_id).select_related("contract__organisation")
    live = quotes.filter(status__in=LIVE_QUOTE_STATUSES).order_by("-created_at", "-id").first()
    return live or quotes.order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class UnagreedWork:
    """A referral whose commissioner has a contract in force and which has no accepted quote."""

    referral_reference: str
    commissioner: str


def work_not_yet_agreed(referral_ids: list[int], on: dt.date) -> list[UnagreedWork]:
    """Of ``referral_ids``, those still in the journey whose commissioner (``commissioner_id``) has a
    contract in force on ``on`` and that have no accepted quote (two queries, however many)."""
    if not referral_ids:
        return []
    referrals = list(
        Referral.objects.filter(pk__in=referral_ids, status__in=QUOTABLE_REFERRAL_STATUSES)
        .exclude(quotes__status=QuoteStatus.ACCEPTED)
        .select_related("referring_organisation", "commissioner")
        .only(
            "id",
            "reference",
            "commissioner_id",
            "referring_organisation_id",
            "commissioner__name",
            "referring_organisation__name",
        )
        .order_by("id")
    )
    payers = {payer for r in referrals if (payer := commissioner_id(r)) is not None}
    under_contract = set(
        Contract.objects.filter(organisation_id__in=payers, starts_on__lte=on, ends_on__gte=on).values_list(
            "organisation_id", flat=True
        )
    )
    return [
        UnagreedWork(
            referral_reference=r.reference,
            commissioner=(r.commissioner or r.referring_organisation).name,
        )
        for r in referrals
        if commissioner_id(r) in under_contract
    ]


def referral_ids_of_case(case_id: int) -> list[int]:
    return list(CaseReferral.objects.filter(case_id=case_id).order_by("id").values_list("referral_id", flat=True))
