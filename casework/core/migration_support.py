"""Keeping a column's data aside when a migration that adds it is rolled back, so rolling back and
applying again loses nothing (docs/conventions.md: every migration is reversible without losing
data; ``casework/core/tests/test_migrations_reversible.py`` checks it).

    operations = [
        migrations.AddField(model_name="user", name="is_caldicott_guardian", field=...),
        keep_aside("accounts", "User", ["is_caldicott_guardian"], table="accounts_user_guardian_kept"),
    ]

Backwards (before the column is dropped) the non-default values are copied to a holding table of
(id, JSON of the fields); forwards (after the column is added again) they are put back and the
holding table dropped. A first apply finds no holding table and does nothing.
"""

from __future__ import annotations

import json

from django.db import migrations


def keep_aside(app_label: str, model_name: str, fields: list[str], *, table: str) -> migrations.RunPython:
    def exists(schema_editor) -> bool:
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            return table in connection.introspection.table_names(cursor)

    def put_back(apps, schema_editor):
        if not exists(schema_editor):
            return
        model = apps.get_model(app_label, model_name)
        quote = schema_editor.connection.ops.quote_name
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT row_id, kept FROM {quote(table)}")  # noqa: S608 - a fixed name
            rows = cursor.fetchall()
        for row_id, text in rows:
            model.objects.filter(pk=row_id).update(**json.loads(text))
        schema_editor.execute(f"DROP TABLE {quote(table)}")

    def keep(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        quote = schema_editor.connection.ops.quote_name
        if not exists(schema_editor):
            schema_editor.execute(f"CREATE TABLE {quote(table)} (row_id bigint PRIMARY KEY, kept text NOT NULL)")
        defaults = {name: model._meta.get_field(name).get_default() for name in fields}
        rows = [
            (values["pk"], json.dumps({name: values[name] for name in fields}, default=str))
            for values in model.objects.order_by("pk").values("pk", *fields)
            if any(values[name] != defaults[name] for name in fields)
        ]
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - a fixed name
            cursor.executemany(f"INSERT INTO {quote(table)} (row_id, kept) VALUES (%s, %s)", rows)  # noqa: S608

    return migrations.RunPython(put_back, keep)
