"""The referral list's default order as an index (issue 19): newest first, undated last, then id."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0009_received_from_consultation")]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                models.OrderBy(models.F("received_at"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="referral_received_desc_idx",
            ),
        ),
    ]
