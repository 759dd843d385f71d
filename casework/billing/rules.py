"""Who may do what with contracts, tariffs and quotes. Views, templates, My work and the services
ask these permissions; nothing else tests a role.

- Finance officers: contracts, tariffs and quotes (create, change, send, withdraw).
- System administrators: contracts and tariffs (the clinic's configuration), not quotes.
- Agency referrers: in the portal, the quotes sent to their own organisation (under one of its
  contracts); they accept or reject one while it awaits their answer.
- Everyone else (clinicians, clinical leads, coordinators, researchers): nothing here.

Asked about a record, the object permissions refuse when the object is missing, so a forgotten
argument denies rather than allows.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_agency_referrer, is_finance_officer, is_system_administrator
from casework.billing.choices import QuoteStatus
from casework.referrals.rules import commissions_referral, is_referrals_staff


@rules.predicate
def is_draft(user, quote) -> bool:
    return quote is not None and quote.status == QuoteStatus.DRAFT


@rules.predicate
def is_awaiting_answer(user, quote) -> bool:
    return quote is not None and quote.status == QuoteStatus.SENT


@rules.predicate
def is_withdrawable(user, quote) -> bool:
    return quote is not None and quote.status in (QuoteStatus.DRAFT, QuoteStatus.SENT)


@rules.predicate
def is_sent_to_own_organisation(user, quote) -> bool:
    """A quote sent (not a draft) under a contract of the user's own organisation."""
    return (
        quote is not None
        and quote.status != QuoteStatus.DRAFT
        and bool(getattr(user, "organisation_id", None))
        and quote.contract.organisation_id == user.organisation_id
    )


# Contracts and the tariff: finance officers, and system administrators (configuration).
rules.add_perm("billing.view_contracts", is_finance_officer | is_system_administrator)
rules.add_perm("billing.manage_contracts", is_finance_officer | is_system_administrator)
# Quotes: finance officers only.
rules.add_perm("billing.view_quotes", is_finance_officer)
rules.add_perm("billing.create_quote", is_finance_officer)
rules.add_perm("billing.edit_quote", is_finance_officer & is_draft)
rules.add_perm("billing.send_quote", is_finance_officer & is_draft)
rules.add_perm("billing.withdraw_quote", is_finance_officer & is_withdrawable)
# The quote's state on the staff referral and case pages (billing.panels): the staff who may see
# the referral, finance, and the commissioner's own referrers (never a draft, never an amount to
# another agency).
rules.add_perm(
    "billing.view_quote_state", is_referrals_staff | is_finance_officer | (is_agency_referrer & commissions_referral)
)
# The warning on the case page that charged work is not yet agreed.
rules.add_perm("billing.view_unagreed_work", is_referrals_staff | is_finance_officer)
# The finance officer's queues on My work.
rules.add_perm("billing.work_finance_queue", is_finance_officer)
# The commissioning agency, in the portal.
rules.add_perm("billing.portal_list_quotes", is_agency_referrer)
rules.add_perm("billing.portal_view_quote", is_agency_referrer & is_sent_to_own_organisation)
rules.add_perm("billing.portal_answer_quote", is_agency_referrer & is_sent_to_own_organisation & is_awaiting_answer)


# --- Billable events and invoices (docs/adr/0021) -------------------------------------------------


@rules.predicate
def is_pending_review(user, event) -> bool:
    return event is not None and event.status in ("pending", "approved")


@rules.predicate
def is_draft_invoice(user, invoice) -> bool:
    return invoice is not None and invoice.status == "draft"


@rules.predicate
def is_issued_invoice(user, invoice) -> bool:
    return invoice is not None and invoice.status == "issued"


@rules.predicate
def is_issued_to_own_organisation(user, invoice) -> bool:
    """An issued invoice, made available in the portal, to the user's own organisation."""
    return (
        invoice is not None
        and invoice.status == "issued"
        and invoice.in_portal
        and bool(getattr(user, "organisation_id", None))
        and invoice.organisation_id == user.organisation_id
    )


# Finance officers review billable events and invoice, take payments and credit.
rules.add_perm("billing.view_events", is_finance_officer)
rules.add_perm("billing.review_event", is_finance_officer & is_pending_review)
rules.add_perm("billing.view_invoices", is_finance_officer)
rules.add_perm("billing.create_invoice", is_finance_officer)
rules.add_perm("billing.edit_invoice", is_finance_officer & is_draft_invoice)
rules.add_perm("billing.issue_invoice", is_finance_officer & is_draft_invoice)
rules.add_perm("billing.send_invoice", is_finance_officer & is_issued_invoice)
rules.add_perm("billing.record_payment", is_finance_officer & is_issued_invoice)
rules.add_perm("billing.credit_invoice", is_finance_officer & is_issued_invoice)
rules.add_perm("billing.view_debt", is_finance_officer)
# The commissioning agency, in the portal: its organisation's issued invoices and its statement.
rules.add_perm("billing.portal_list_invoices", is_agency_referrer)
rules.add_perm("billing.portal_view_invoice", is_agency_referrer & is_issued_to_own_organisation)
