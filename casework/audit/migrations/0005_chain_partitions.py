"""The audit log as ``PARTITIONS`` hash chains side by side (ADR 0024).

Every event so far stays where it is: the single chain becomes partition 1 (its events keep their
sequence and hash, and verify in the form they were written in), and partitions 2 … 32 start empty, each with a head sealed at the
start. Events are unique per (partition, sequence) instead of per sequence. Rolling back is possible
while partitions 2 … 32 are still empty (it refuses otherwise: their events cannot be put back into
one chain without the key and a rewrite).

On SQLite, altering audit_auditevent rebuilds the table and drops its append-only triggers (0002):
they are created again after the change, both ways.
"""

import hashlib
import hmac
import importlib

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


PARTITIONS = 32
GENESIS_HASH = "0" * 64
TRIGGERS = importlib.import_module("casework.audit.migrations.0002_append_only_triggers")


def _seal(partition, sequence, entry_hash):
    if partition == 1:
        message = f"casework-audit-head:{int(sequence)}:{entry_hash}"
    else:
        message = f"casework-audit-head:{int(partition)}:{int(sequence)}:{entry_hash}"
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def reinstall_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in TRIGGERS.SQLITE_DOWN + TRIGGERS.SQLITE_UP:
            schema_editor.execute(statement)


def add_heads(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    for partition in range(1, PARTITIONS + 1):
        ChainHead.objects.get_or_create(
            pk=partition,
            defaults={"sequence": 0, "entry_hash": GENESIS_HASH, "seal": _seal(partition, 0, GENESIS_HASH)},
        )
    reinstall_sqlite_triggers(apps, schema_editor)


def remove_heads(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if AuditEvent.objects.exclude(partition=1).exists() or ChainHead.objects.filter(pk__gt=1, sequence__gt=0).exists():
        raise RuntimeError(
            "Audit partitions 2 and above hold events: they cannot be folded back into one chain. "
            "Restore a backup taken before migration audit 0005 instead."
        )
    ChainHead.objects.filter(pk__gt=1).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_auditevent_refused'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Reversed last: the rebuilt table needs its triggers again.
        migrations.RunPython(migrations.RunPython.noop, reinstall_sqlite_triggers),
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('partition', models.PositiveSmallIntegerField()),
                ('sequence', models.PositiveBigIntegerField()),
                ('entry_hash', models.CharField(max_length=64)),
                ('event_id', models.BigIntegerField(blank=True, null=True)),
                ('made_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('seal', models.CharField(max_length=64)),
            ],
        ),
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['id']},
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_object_idx',
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_actor_idx',
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_label_idx',
        ),
        migrations.AddField(
            model_name='auditevent',
            name='partition',
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='sequence',
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['object_type', 'object_id', 'id'], name='audit_object_id_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['actor', 'id'], name='audit_actor_id_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['object_label', 'id'], name='audit_label_id_idx'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('partition', 'sequence'), name='audit_partition_sequence'),
        ),
        migrations.AddIndex(
            model_name='auditcheckpoint',
            index=models.Index(fields=['partition', 'sequence'], name='audit_checkpoint_idx'),
        ),
        migrations.RunPython(add_heads, remove_heads),
    ]
