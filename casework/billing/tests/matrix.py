"""What the authorisation matrix (casework/core/tests/matrix_world.py) needs of billing: a contract
and a price, a draft quote (the finance editing pages), a sent quote (the portal's answer pages),
both for referrals of ``cast.organisation`` under its contract, and a referral with no quote yet
(starting a quote)."""

from __future__ import annotations


def billing_overrides(cast) -> dict[str, dict]:
    from casework.billing.choices import QuoteStatus
    from casework.billing.tests import helpers

    agreement = helpers.contract(cast.finance, cast.organisation, reference="MATRIX-C")
    price = helpers.tariff(cast.finance)
    draft = helpers.quote(cast, agreement=agreement)
    sent = helpers.quote(cast, agreement=agreement, status=QuoteStatus.SENT)
    unquoted = helpers.referral(cast.organisation)
    line = draft.lines.first()
    return {
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
