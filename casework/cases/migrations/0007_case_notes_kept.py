"""The data half of 0006 (case notes): rolled back, it keeps every note and addendum in
``cases_notes_kept`` before 0006 drops their tables; applied, it puts back what a rollback kept
there (nothing to do on a first apply). A migration of its own, because PostgreSQL refuses to
create 0006's indexes in a transaction that has just written the same rows."""

import json

from django.core.management.color import no_style
from django.db import migrations

HOLDING_TABLE = "cases_notes_kept"
MODELS = ("CaseNote", "CaseNoteAddendum")


def _holding_table_exists(schema_editor) -> bool:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return HOLDING_TABLE in connection.introspection.table_names(cursor)


def put_back(apps, schema_editor):
    """Forwards: restore the notes and addenda an earlier rollback kept."""
    if not _holding_table_exists(schema_editor):
        return
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT kept FROM {quote(HOLDING_TABLE)}")  # noqa: S608 - fixed name
        row = cursor.fetchone()
    if row is not None:
        kept = json.loads(row[0])
        restored = []
        for name in MODELS:
            model = apps.get_model("cases", name)
            rows = kept.get(name, [])
            # Written straight to the table: the model's save() refuses to change a fixed note.
            model.objects.bulk_create(model(**fields) for fields in rows)
            if rows:
                restored.append(model)
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), restored):
            schema_editor.execute(sql)
    schema_editor.execute(f"DROP TABLE {quote(HOLDING_TABLE)}")


def keep(apps, schema_editor):
    """Backwards: keep every note and addendum before their tables go."""
    quote = schema_editor.connection.ops.quote_name
    kept = {}
    for name in MODELS:
        model = apps.get_model("cases", name)
        fields = [f.attname for f in model._meta.concrete_fields]
        kept[name] = list(model.objects.order_by("pk").values(*fields))
    text = json.dumps(kept, default=str)
    if not _holding_table_exists(schema_editor):
        schema_editor.execute(f"CREATE TABLE {quote(HOLDING_TABLE)} (kept text NOT NULL)")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(HOLDING_TABLE)}")  # noqa: S608 - fixed name
        cursor.execute(f"INSERT INTO {quote(HOLDING_TABLE)} (kept) VALUES (%s)", [text])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_notes"),
    ]

    operations = [
        migrations.RunPython(put_back, keep),
    ]
