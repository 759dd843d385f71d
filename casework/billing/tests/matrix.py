"""What the authorisation matrix (casework/core/tests/matrix_world.py) needs of billing: a contract
and a price, a draft quote (the finance editing pages), a sent quote (the portal's answer pages),
both for referrals of ``cast.organisation`` under its contract, and a referral with no quote yet
(starting a quote)."""

from __future__ import annotations


def billing_overrides(cast) -> dict[str, dict]:
    from casework.billing.choices import QuoteStatus
    from casework.billing.models import Contract
    from casework.billing.tests import helpers

    # Contract references are unique, and the world may be built twice (the query-count convention test).
    taken = Contract.objects.filter(reference__startswith="MATRIX-C").count()
    agreement = helpers.contract(
        cast.finance, cast.organisation, reference="MATRIX-C" + (f"-{taken + 1}" if taken else "")
    )
    price = helpers.tariff(cast.finance)
    draft = helpers.quote(cast, agreement=agreement)
    sent = helpers.quote(cast, agreement=agreement, status=QuoteStatus.SENT)
    unquoted = helpers.referral(cast.organisation)
    line = draft.lines.first()
    invoicing = _invoicing_overrides(cast, agreement)
    return invoicing | {
        "billing:contract": {"pk": agreement.pk},
        "billing:contract_edit": {"pk": agreement.pk},
        "billing:tariff_edit": {"pk": price.pk},
        "billing:quote": {"pk": draft.pk},
        "billing:quote_line_add": {"pk": draft.pk},
        "billing:quote_line_remove": {"pk": draft.pk, "line_id": line.pk},
        "billing:quote_send": {"pk": draft.pk},
        "billing:quote_withdraw": {"pk": sent.pk},
        "billing:referral": {"reference": draft.referral.reference},
        "billing:quote_create": {"reference": unquoted.reference},
        "portal:quote": {"pk": sent.pk},
        "portal:quote_accept": {"pk": sent.pk},
        "portal:quote_reject": {"pk": sent.pk},
    }


def _invoicing_overrides(cast, agreement) -> dict[str, dict]:
    """A pending event (the review pages), approved events to invoice under ``agreement``, and an
    issued invoice of ``cast.organisation`` made available in its portal (and so to its API tokens)."""
    from casework.billing.choices import EventStatus
    from casework.billing.models import BillableEvent
    from casework.billing.services import invoices
    from casework.billing.tests.invoice_helpers import approved_events

    made = approved_events(cast, agreement, count=3)
    BillableEvent.objects.filter(pk=made[0].pk).update(status=EventStatus.PENDING)
    invoice = invoices.invoice_create(contract=agreement, event_ids=[made[1].pk], by=cast.finance)
    invoice = invoices.invoice_issue(invoice=invoice, by=cast.finance)
    invoice = invoices.invoice_publish(invoice=invoice, by=cast.finance)
    on_invoice = {"pk": invoice.pk}
    return {
        "billing:event": {"pk": made[0].pk},
        "billing:event_approve": {"pk": made[0].pk},
        "billing:event_write_off": {"pk": made[0].pk},
        "billing:event_reprice": {"pk": made[0].pk},
        "billing:invoice_create": {"pk": agreement.pk},
        "billing:invoice": on_invoice,
        "billing:invoice_issue": on_invoice,
        "billing:invoice_delete": on_invoice,
        "billing:invoice_send": on_invoice,
        "billing:invoice_publish": on_invoice,
        "billing:invoice_pdf": on_invoice,
        "billing:payment_create": on_invoice,
        "billing:credit_note_create": on_invoice,
        "portal:invoice_pdf": on_invoice,
        # The agency API's invoice URLs (401 to every session; casework/api/tests cover tokens).
        "api:invoice": on_invoice,
        "api:invoice_pdf": on_invoice,
    }
