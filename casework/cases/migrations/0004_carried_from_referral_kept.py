"""The data half of 0003 (what a case carries from its referrals): applied, it puts back what a
rollback kept aside in ``cases_carried_kept``; rolled back, it keeps the work owed, the sources and
the undated orders there before 0003's columns go. A migration of its own, because PostgreSQL
refuses to create 0003's indexes in a transaction that has just updated the same rows ("pending
trigger events")."""


import json

from django.db import migrations


HOLDING_TABLE = "cases_carried_kept"
SOURCED = ("legalorder", "hearing", "agencyofficer")
SERVICE_FIELDS = ("id", "case_id", "service", "due_on", "source_referral_id", "added_at", "added_by_id")


def _holding_table_exists(schema_editor) -> bool:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return HOLDING_TABLE in connection.introspection.table_names(cursor)


def put_back(apps, schema_editor):
    """Forwards: restore what an earlier rollback kept (nothing to do on a first apply)."""
    if not _holding_table_exists(schema_editor):
        return
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT kept FROM {quote(HOLDING_TABLE)}")  # noqa: S608 - fixed name
        row = cursor.fetchone()
    if row is not None:
        kept = json.loads(row[0])
        for name in SOURCED:
            model = apps.get_model("cases", name)
            for pk, referral_id in kept["sources"].get(name, {}).items():
                model.objects.filter(pk=int(pk)).update(source_referral_id=referral_id)
        apps.get_model("cases", "LegalOrder").objects.filter(pk__in=kept["undated_orders"]).update(starts_on=None)
        CaseService = apps.get_model("cases", "CaseService")
        CaseService.objects.bulk_create(CaseService(**fields) for fields in kept["services"])
        if kept["services"]:
            from django.core.management.color import no_style

            for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [CaseService]):
                schema_editor.execute(sql)
    schema_editor.execute(f"DROP TABLE {quote(HOLDING_TABLE)}")


def keep(apps, schema_editor):
    """Backwards: keep the sources, the work owed and the undated orders before they go."""
    quote = schema_editor.connection.ops.quote_name
    LegalOrder = apps.get_model("cases", "LegalOrder")
    sources = {}
    for name in SOURCED:
        model = apps.get_model("cases", name)
        rows = model.objects.filter(source_referral__isnull=False).values_list("pk", "source_referral_id")
        sources[name] = {str(pk): referral_id for pk, referral_id in rows}
    undated = list(LegalOrder.objects.filter(starts_on__isnull=True).values_list("pk", flat=True))
    services = list(apps.get_model("cases", "CaseService").objects.order_by("pk").values(*SERVICE_FIELDS))
    kept = json.dumps({"sources": sources, "undated_orders": undated, "services": services}, default=str)
    for order in LegalOrder.objects.filter(pk__in=undated):
        order.starts_on = order.recorded_at.date()
        order.save(update_fields=["starts_on"])
    if not _holding_table_exists(schema_editor):
        schema_editor.execute(f"CREATE TABLE {quote(HOLDING_TABLE)} (kept text NOT NULL)")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(HOLDING_TABLE)}")  # noqa: S608 - fixed name
        cursor.execute(f"INSERT INTO {quote(HOLDING_TABLE)} (kept) VALUES (%s)", [kept])  # noqa: S608



class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_carried_from_referral"),
    ]

    operations = [
        migrations.RunPython(put_back, keep),
    ]
