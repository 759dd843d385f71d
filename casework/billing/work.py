"""The finance officer's sections on My work (registered with casework.core.work): quotes sent and
awaiting the commissioner's answer, and contracts ending within 60 days. Each runs a fixed number
of queries, however much data there is."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.billing import queries
from casework.billing.choices import QuoteStatus
from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, queue_section, register


def _awaiting_section(user) -> WorkSection:
    return queue_section(
        queryset=queries.quotes_awaiting_acceptance(user),
        title="Quotes awaiting acceptance",
        empty_text="No quote is waiting for a commissioner's answer. A quote you send appears here until it is "
        "accepted or rejected.",
        item=lambda quote: WorkItem(
            text=f"{quote.reference}: £{quote.total:,.2f}",
            href=reverse("billing:quote", args=[quote.pk]),
            detail=f"{quote.contract.organisation.name}, referral {quote.referral.reference}. "
            f"Sent {date_gb(quote.sent_at)}",
            tag="Sent",
            tag_colour="blue",
        ),
        more_href=f"{reverse('billing:quotes')}?status={QuoteStatus.SENT.value}",
    )


def _ending_section(user) -> WorkSection:
    today = timezone.localdate()
    return queue_section(
        queryset=queries.contracts_ending_soon(user, today),
        title="Contracts ending within 60 days",
        empty_text="No contract ends in the next 60 days. A contract in force that ends within 60 days appears "
        "here, so it can be renewed in time.",
        item=lambda contract: WorkItem(
            text=f"{contract.reference}: {contract.organisation.name}",
            href=reverse("billing:contract", args=[contract.pk]),
            detail=f"Ends {date_gb(contract.ends_on)} ({(contract.ends_on - today).days} days)",
            tag="Ending soon",
            tag_colour="orange",
        ),
        more_href=reverse("billing:contracts"),
    )


@register(order=40)
def finance_sections(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    if not user.has_perm("billing.work_finance_queue"):
        return []
    return [_awaiting_section(user), _ending_section(user)]
