"""Forms for billable events, invoices, payments and credit notes. They parse; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from casework.billing.choices import EventStatus, PaymentState
from casework.billing.forms import _too_long, money
from casework.billing.models import PAYMENT_REFERENCE_LIMIT, REASON_LIMIT
from casework.core.forms import NHSDateField, NHSForm


class EventFilterForm(NHSForm):
    q = forms.CharField(label="Referral, case or contract reference, or organisation", required=False, max_length=100)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *EventStatus.choices])


class WriteOffForm(NHSForm):
    reason = forms.CharField(
        label="Reason for writing off",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the event is written off", **_too_long("Reason", REASON_LIMIT)},
    )


class InvoiceEventsForm(NHSForm):
    events = forms.MultipleChoiceField(
        label="Approved events to invoice",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one approved event to invoice",
            "invalid_choice": "Select events from the list",
        },
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["events"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101  (for the type checker)
        field.choices = list(choices)


class InvoiceFilterForm(NHSForm):
    q = forms.CharField(
        label="Invoice number, contract, organisation or purchase order", required=False, max_length=100
    )
    state = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *PaymentState.choices])


class PaymentForm(NHSForm):
    amount = money("Amount received")
    received_on = NHSDateField(label="Date received", past_only=True)
    reference = forms.CharField(
        label="Payment reference",
        required=False,
        max_length=PAYMENT_REFERENCE_LIMIT,
        help_text="The remittance or bank reference, if there is one",
        error_messages=_too_long("Payment reference", PAYMENT_REFERENCE_LIMIT),
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= Decimal("0"):
            raise forms.ValidationError("Amount received must be more than £0")
        return amount


class CreditNoteForm(NHSForm):
    amount = money("Amount to credit")
    reason = forms.CharField(
        label="Reason for the credit",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for the credit", **_too_long("Reason", REASON_LIMIT)},
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= Decimal("0"):
            raise forms.ValidationError("Amount to credit must be more than £0")
        return amount
