"""The funding of a referral's work: the commissioner's purchase order number, copied onto the
referral's free-text purchase order field when the commissioner accepts the clinic's quote
(``casework.billing.services.quotes.quote_accept`` calls this in its own transaction)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from casework.audit.services import record_change, snapshot
from casework.core.changes import announce
from casework.core.permissions import requires
from casework.referrals.models import Referral

FIELDS = ("purchase_order",)
PURCHASE_ORDER_LIMIT = Referral._meta.get_field("purchase_order").max_length


@requires("referrals.record_purchase_order", obj="referral")
def purchase_order_record(
    *, referral: Referral, purchase_order: str, by, request: HttpRequest | None = None
) -> Referral:
    """Set the referral's purchase order number (replacing what the referrer typed, which the audit
    trail keeps as the old value). Nothing is written or audited when it is already that number."""
    purchase_order = (purchase_order or "").strip()
    if not purchase_order or len(purchase_order) > (PURCHASE_ORDER_LIMIT or 50):
        raise ValueError("A purchase order number of 1 to 50 characters is needed")
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.purchase_order == purchase_order:
            return current
        before = snapshot(current, FIELDS)
        current.purchase_order = purchase_order
        current.save(update_fields=["purchase_order", "updated_at"])
        record_change(request=request, actor=by, obj=current, before=before, fields=FIELDS)
        announce(current)
    return current
