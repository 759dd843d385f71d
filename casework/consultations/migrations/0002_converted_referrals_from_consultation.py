"""Referrals made from a consultation before the referrals' "From a consultation" channel existed
were recorded as received by email: mark them as they came (and back again when rolled back)."""

from django.db import migrations


def _converted(apps):
    request = apps.get_model("consultations", "ConsultationRequest")
    referral = apps.get_model("referrals", "Referral")
    made = request.objects.filter(became_referral__isnull=False).values("became_referral_id")
    return referral.objects.filter(pk__in=made)


def forwards(apps, schema_editor):
    _converted(apps).filter(received_via="email").update(received_via="consultation")


def backwards(apps, schema_editor):
    _converted(apps).filter(received_via="consultation").update(received_via="email")


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0001_initial"),
        ("referrals", "0009_received_from_consultation"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
