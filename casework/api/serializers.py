"""What the API answers (read shapes; the referral body is ``submission.ReferralSubmissionSerializer``)."""

from __future__ import annotations

from rest_framework import serializers

from casework.billing.choices import BillableService, PaymentState
from casework.referrals.choices import DocumentKind, Status


class StatusChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Status.choices)


class ProgressSerializer(serializers.Serializer):
    lead_clinician = serializers.CharField(allow_blank=True)
    allocated_at = serializers.DateTimeField(allow_null=True)
    case_opened_at = serializers.DateTimeField(allow_null=True)


class AnswerSentSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField()
    text = serializers.CharField()


class ReferralSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    received_via = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    services = serializers.ListField(child=serializers.CharField())


class ReferralStatusSerializer(ReferralSummarySerializer):
    question = serializers.CharField(
        allow_blank=True, help_text="What the clinic asked for, while it awaits information from you"
    )
    information_requested_at = serializers.DateTimeField(allow_null=True)
    progress = ProgressSerializer()
    history = StatusChangeSerializer(many=True)
    answers_sent = AnswerSentSerializer(many=True)


class InformationRequestSerializer(serializers.Serializer):
    reference = serializers.CharField()
    question = serializers.CharField(allow_blank=True)
    requested_at = serializers.DateTimeField(allow_null=True)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(help_text="Your answer to the clinic's request", trim_whitespace=False)
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False, allow_blank=True)
    file = serializers.FileField(required=False, allow_null=True, help_text="A document, if you are sending one")


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField()


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    scan_status = serializers.CharField()


class IssuedReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    number = serializers.IntegerField(help_text="1 for the first issue, 2 for the first correction …")
    issued_at = serializers.DateTimeField()
    recipient_name = serializers.CharField(allow_blank=True)
    is_correction = serializers.BooleanField()
    replaced_by = serializers.IntegerField(allow_null=True, help_text="The issue number that replaced this one")
    referral = serializers.CharField(allow_blank=True)
    pdf_url = serializers.CharField()
    docx_url = serializers.CharField()


# How far an issued invoice is settled (a draft is never served). Named in the OpenAPI document by
# SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
INVOICE_STATES = [(s.value, s.label) for s in PaymentState if s != PaymentState.DRAFT]


def _money(help_text: str = "") -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, help_text=help_text or None)


class InvoiceSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(
        choices=INVOICE_STATES,
        help_text="How far the invoice is settled, on today's date",
    )
    status_label = serializers.CharField()
    purchase_order = serializers.CharField(allow_blank=True)
    contract = serializers.CharField(help_text="The contract's reference")
    net_total = _money("Total before VAT")
    vat_total = _money("VAT")
    total = _money("Total including VAT")
    amount_paid = _money("Paid so far")
    amount_credited = _money("Credited by credit notes")
    balance = _money("Still owed: total less paid and credited")
    url = serializers.CharField()
    pdf_url = serializers.CharField()


class InvoiceLineSerializer(serializers.Serializer):
    service = serializers.ChoiceField(choices=BillableService.choices, help_text="The service's code")
    description = serializers.CharField(help_text="The service, as the invoice's PDF names it")
    occurred_on = serializers.DateField()
    referral = serializers.CharField(help_text="The referral's reference, as on the invoice's PDF")
    unit_price = _money()
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Per cent")
    net_amount = _money("Before VAT")
    vat_amount = _money("VAT")
    amount = _money("Including VAT")


class CreditNoteSerializer(serializers.Serializer):
    number = serializers.CharField()
    issued_on = serializers.DateField()
    net_amount = _money("Before VAT")
    vat_amount = _money("VAT")
    amount = _money("Including VAT")


class InvoiceSerializer(InvoiceSummarySerializer):
    lines = InvoiceLineSerializer(many=True)
    credit_notes = CreditNoteSerializer(many=True)
