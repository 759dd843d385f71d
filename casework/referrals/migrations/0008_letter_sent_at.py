from django.db import migrations, models
from django.db.models import F

# Letters handed to GOV.UK Notify before this field existed: released when Notify first answered.
HANDED_OVER = ("sent", "delivered", "posted", "failed")


def backfill(apps, schema_editor):
    Letter = apps.get_model("referrals", "Letter")
    Letter.objects.filter(sent_at__isnull=True, delivery_status__in=HANDED_OVER).exclude(delivery_channel="").update(
        sent_at=F("delivery_updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_letter_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
