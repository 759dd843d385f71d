"""Billing's panels on pages of apps below it (registered with ``casework.core.panels`` when the app
is ready):

- the referral page: the referral's quote (its number, state and total, and the commissioner's
  purchase order number once accepted), for those who may see the quote state
  (``billing.view_quote_state``);
- the case page: a warning for each of the case's referrals whose commissioner has a contract in
  force and which has no accepted quote yet, until one is accepted.

Agency users see a quote's state only for their own organisation's commissioned referrals, never
a draft; anyone else who may not see it gets no panel at all.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.billing import queries
from casework.billing.choices import QuoteStatus
from casework.cases.choices import CaseStatus
from casework.core import panels
from casework.core.formatting import date_gb

QUOTE_PANEL = "quote-panel"
UNAGREED_PANEL = "unagreed-work-panel"


def _pounds(amount) -> str:
    return f"£{amount:,.2f}"


def unagreed_text(commissioner: str) -> str:
    return f"No accepted quote: work to be charged to {commissioner} is not yet agreed"


@panels.register(panels.REFERRAL, order=50)
def quote_panel(request: HttpRequest, referral) -> list[panels.Panel]:
    user = request.user
    if not user.has_perm("billing.view_quote_state", referral):
        return []
    quote = queries.latest_quote_of_referral(referral.pk)
    if quote is not None and quote.status == QuoteStatus.DRAFT and user.has_perm("billing.portal_list_quotes"):
        quote = None  # the commissioner never sees a draft
    if quote is None:
        under_contract = queries.work_not_yet_agreed([referral.pk], timezone.localdate())
        if not under_contract:
            return []
        return [
            panels.Panel(
                name=QUOTE_PANEL,
                title="Quote",
                text="No quote has been sent for this referral yet.",
                warning=unagreed_text(under_contract[0].commissioner),
            )
        ]
    rows = [
        ("Quote", quote.reference),
        ("State", quote.get_status_display()),
        ("Total", _pounds(quote.total)),
        ("Commissioner", quote.contract.organisation.name),
    ]
    if quote.status == QuoteStatus.ACCEPTED:
        rows.append(("Purchase order number", quote.purchase_order))
        if quote.decided_at:
            rows.append(("Accepted", date_gb(quote.decided_at)))
    links = []
    if user.has_perm("billing.view_quotes"):
        links.append(("Open the quote", reverse("billing:quote", args=[quote.pk])))
    return [panels.Panel(name=QUOTE_PANEL, title="Quote", rows=rows, links=links)]


@panels.register(panels.CASE, order=50)
def unagreed_work_panel(request: HttpRequest, case) -> list[panels.Panel]:
    if not request.user.has_perm("billing.view_unagreed_work") or case.status == CaseStatus.CLOSED:
        return []
    unagreed = queries.work_not_yet_agreed(queries.referral_ids_of_case(case.pk), timezone.localdate())
    return [
        panels.Panel(
            name=UNAGREED_PANEL,
            title="Charging",
            warning=unagreed_text(item.commissioner),
            text=f"Referral {item.referral_reference}: the work needs a quote accepted by the commissioner.",
        )
        for item in unagreed
    ]
