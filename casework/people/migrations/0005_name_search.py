"""Name search served by trigram indexes on PostgreSQL (ADR 0025).

The person list finds names by substring, case-insensitively: Django's ``icontains`` on PostgreSQL
is ``UPPER(column::text) LIKE UPPER('%word%')``, which no B-tree index serves. ``pg_trgm`` GIN
indexes on exactly that expression do, for words of three letters or more, so a search for a
common surname no longer reads every person. The query, and so its results, are unchanged.

On SQLite nothing is created (``TrigramExtension`` does nothing there and the indexes are
PostgreSQL's own): see the ADR for why the search app's FTS5 index is not used for this list.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """Django's operation skips other databases going forwards but not backwards (it asks SQLite for
    ``pg_extension``), so rolling back past this migration on SQLite failed."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)


INDEXES = [
    ("people_person_given_trgm", "people_person", "given_name"),
    ("people_person_family_trgm", "people_person", "family_name"),
    ("people_person_middle_trgm", "people_person", "middle_names"),
    ("people_person_preferred_trgm", "people_person", "preferred_name"),
    ("people_personname_given_trgm", "people_personname", "given_name"),
    ("people_personname_family_trgm", "people_personname", "family_name"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0004_national_data_opt_out")]
    operations = [TrigramExtensionOnPostgreSQL(), migrations.RunPython(forwards, backwards)]
