"""The finance officer's invoicing sections on My work (registered with casework.core.work):
billable events awaiting review, and invoices overdue. Each runs a fixed number of queries."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.billing import invoice_queries
from casework.billing.choices import PaymentState
from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, queue_section, register


def _events_section(user) -> WorkSection:
    return queue_section(
        queryset=invoice_queries.events_awaiting_review(user),
        title="Billable events to review",
        empty_text="No billable event is waiting. Completed work (an assessment signed, a report issued, a "
        "session attended or missed) appears here to approve for invoicing or write off.",
        item=lambda event: WorkItem(
            text=f"{event.get_service_display()}: £{event.amount:,.2f}",
            href=reverse("billing:event", args=[event.pk]),
            detail=f"{event.organisation.name if event.organisation is not None else 'No commissioner'}, "
            f"{date_gb(event.occurred_on)}",
            tag="To review",
            tag_colour="blue",
        ),
        more_href=reverse("billing:events"),
    )


def _overdue_section(user) -> WorkSection:
    return queue_section(
        queryset=invoice_queries.overdue_invoices(user, timezone.localdate()),
        title="Invoices overdue",
        empty_text="No invoice is overdue. An issued invoice not paid by its due date appears here.",
        item=lambda invoice: WorkItem(
            text=f"{invoice.number}: £{invoice.balance:,.2f} owed",
            href=reverse("billing:invoice", args=[invoice.pk]),
            detail=f"{invoice.organisation.name}. Due {date_gb(invoice.due_on)}",
            tag="Overdue",
            tag_colour="red",
        ),
        more_href=f"{reverse('billing:invoices')}?state={PaymentState.OVERDUE.value}",
    )


@register(order=41)
def invoicing_sections(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    if not user.has_perm("billing.work_finance_queue"):
        return []
    return [_events_section(user), _overdue_section(user)]
