"""Billing's forms. They parse; the services decide (and their refusals are shown by the field)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from casework.billing.choices import BillableService, QuoteStatus, VatTreatment
from casework.billing.models import (
    CONTACT_NAME_LIMIT,
    MAX_PRICE,
    PURCHASE_ORDER_LIMIT,
    REASON_LIMIT,
    REFERENCE_LIMIT,
    TERMS_LIMIT,
)
from casework.billing.services import quotes
from casework.billing.services._shared import standard_vat_rate
from casework.core.forms import NHSDateField, NHSForm


def _too_long(label: str, limit: int) -> dict[str, str]:
    return {"max_length": f"{label} must be {limit} characters or fewer"}


def money(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_value=MAX_PRICE,
        max_digits=10,
        decimal_places=2,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be an amount in pounds, like 450 or 1250.50",
            "min_value": f"{label} must be £0 or more",
            "max_value": f"{label} must be less than £100,000,000",
            "max_digits": f"{label} must be less than £100,000,000",
            "max_whole_digits": f"{label} must be less than £100,000,000",
            "max_decimal_places": f"{label} must be in pounds and pence, with no more than 2 decimal places",
        },
    )


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class ContractForm(NHSForm):
    organisation = OrganisationField(
        label="Commissioning organisation",
        queryset=None,
        empty_label="Select an organisation",
        error_messages={
            "required": "Select the commissioning organisation",
            "invalid_choice": "Select the commissioning organisation from the list",
        },
    )
    reference = forms.CharField(
        label="Contract reference",
        max_length=REFERENCE_LIMIT,
        error_messages={"required": "Enter the contract reference", **_too_long("Contract reference", REFERENCE_LIMIT)},
    )
    purchase_order = forms.CharField(
        label="Purchase order number",
        required=False,
        max_length=PURCHASE_ORDER_LIMIT,
        help_text="A standing purchase order for the contract, if the commissioner gave one",
        error_messages=_too_long("Purchase order number", PURCHASE_ORDER_LIMIT),
    )
    starts_on = NHSDateField(label="Start date", years_ahead=10)
    ends_on = NHSDateField(label="End date", years_ahead=10)
    cap = money("Cap", required=False, help_text="The most the contract allows in pounds, if it has a limit")
    terms = forms.CharField(
        label="Terms",
        required=False,
        max_length=TERMS_LIMIT,
        help_text="Payment terms and anything else agreed, such as invoicing arrangements",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=_too_long("Terms", TERMS_LIMIT),
    )
    payment_days = forms.IntegerField(
        label="Days to pay an invoice",
        required=False,
        min_value=1,
        max_value=365,
        help_text="Invoices under this contract are due this many days after they are issued (30 if left empty)",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-3"}),
        error_messages={
            "invalid": "Days to pay must be a whole number, like 30",
            "min_value": "Days to pay must be 1 or more",
            "max_value": "Days to pay must be 365 or fewer",
        },
    )
    invoicing_contact_name = forms.CharField(
        label="Invoicing contact",
        required=False,
        max_length=CONTACT_NAME_LIMIT,
        error_messages=_too_long("Invoicing contact", CONTACT_NAME_LIMIT),
    )
    invoicing_contact_email = forms.EmailField(
        label="Invoicing contact's email address",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            **_too_long("Email address", 254),
        },
    )

    def __init__(self, *args: Any, organisations=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(contract) -> dict[str, Any] | None:
        if contract is None:
            return None
        return {
            "organisation": contract.organisation_id,
            "reference": contract.reference,
            "purchase_order": contract.purchase_order,
            "starts_on": contract.starts_on,
            "ends_on": contract.ends_on,
            "payment_days": contract.payment_days,
            "cap": contract.cap,
            "terms": contract.terms,
            "invoicing_contact_name": contract.invoicing_contact_name,
            "invoicing_contact_email": contract.invoicing_contact_email,
        }


class ContractFilterForm(NHSForm):
    q = forms.CharField(label="Reference or organisation", required=False, max_length=100)
    current = forms.BooleanField(label="In force today only", required=False)


def vat_choices() -> list[tuple[str, str]]:
    if standard_vat_rate() is None:
        return [(VatTreatment.EXEMPT.value, VatTreatment.EXEMPT.label)]
    return VatTreatment.choices


class TariffForm(NHSForm):
    service = forms.ChoiceField(
        label="Service",
        choices=[("", "Select a service"), *BillableService.choices],
        error_messages={"required": "Select the service", "invalid_choice": "Select the service from the list"},
    )
    price = money("Price", help_text="In pounds, for one of the service (one session, one report)")
    vat_treatment = forms.ChoiceField(
        label="VAT treatment",
        choices=VatTreatment.choices,
        initial=VatTreatment.EXEMPT,
        widget=forms.RadioSelect,
        help_text="Health services are exempt. The standard rate is offered only when one is configured.",
        error_messages={
            "required": "Select the VAT treatment",
            "invalid_choice": "Select the VAT treatment from the list",
        },
    )
    contract: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Contract (optional)",
        queryset=None,
        required=False,
        empty_label="None: the clinic's price",
        help_text="Choose a contract only for a price agreed under it. Quotes under that contract use it "
        "while it is in force, and the clinic's price otherwise.",
        error_messages={"invalid_choice": "Select the contract from the list"},
    )
    effective_from = NHSDateField(label="Effective from", years_ahead=5)
    effective_to = NHSDateField(
        label="Effective until",
        required=False,
        years_ahead=10,
        help_text="The last day of this price. Leave empty while it has no end: a later price ends it.",
    )

    def __init__(self, *args: Any, contracts=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vat_treatment"].choices = vat_choices()  # type: ignore[attr-defined]
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]
        self.fields["contract"].label_from_instance = (  # type: ignore[attr-defined]
            lambda obj: f"{obj.reference} ({obj.organisation.name})"
        )

    @staticmethod
    def initial_from(tariff) -> dict[str, Any] | None:
        if tariff is None:
            return None
        return {
            "service": tariff.service,
            "contract": tariff.contract_id,
            "price": tariff.price,
            "vat_treatment": tariff.vat_treatment,
            "effective_from": tariff.effective_from,
            "effective_to": tariff.effective_to,
        }


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} ({obj.organisation.name}, until {obj.ends_on:%-d %B %Y})"


class QuoteForm(NHSForm):
    contract = ContractChoiceField(
        label="Contract",
        queryset=None,
        empty_label="Select a contract",
        help_text="The commissioner's contracts in force today",
        error_messages={"required": "Select the contract", "invalid_choice": "Select the contract from the list"},
    )

    def __init__(self, *args: Any, contracts=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]


class QuoteLineForm(NHSForm):
    service = forms.ChoiceField(
        label="Service",
        choices=[("", "Select a service"), *BillableService.choices],
        error_messages={"required": "Select the service", "invalid_choice": "Select the service from the list"},
    )
    quantity = forms.IntegerField(
        label="Quantity",
        min_value=1,
        max_value=quotes.MAX_QUANTITY,
        initial=1,
        help_text="How many: sessions, reports or assessments",
        error_messages={
            "required": "Enter the quantity",
            "invalid": "Quantity must be a whole number, like 1 or 12",
            "min_value": "Quantity must be 1 or more",
            "max_value": f"Quantity must be {quotes.MAX_QUANTITY} or fewer",
        },
    )


class WithdrawForm(NHSForm):
    reason = forms.CharField(
        label="Reason for withdrawing",
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_too_long("Reason for withdrawing", REASON_LIMIT),
    )


class AcceptForm(NHSForm):
    purchase_order = forms.CharField(
        label="Your purchase order number",
        max_length=PURCHASE_ORDER_LIMIT,
        help_text="The clinic puts it on the invoice for this work",
        error_messages={
            "required": "Enter your purchase order number",
            **_too_long("Purchase order number", PURCHASE_ORDER_LIMIT),
        },
    )


class RejectForm(NHSForm):
    reason = forms.CharField(
        label="Why are you rejecting the quote?",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why you are rejecting the quote",
            **_too_long("Reason for rejecting", REASON_LIMIT),
        },
    )


class QuoteFilterForm(NHSForm):
    q = forms.CharField(label="Quote, referral or contract reference, or organisation", required=False, max_length=100)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *QuoteStatus.choices])
