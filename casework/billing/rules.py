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
