"""What the API answers (read shapes; the referral body is ``submission.ReferralSubmissionSerializer``)."""

from __future__ import annotations

from rest_framework import serializers

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
