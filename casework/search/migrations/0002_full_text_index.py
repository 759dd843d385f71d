"""The full-text index, which each database builds its own way.

SQLite: an FTS5 external-content table ``search_fts`` over the document's three text columns
(its rows are the documents' ids), with the ``unicode61`` tokenizer folding accents and prefix
indexes for two- and three-character prefixes. Triggers on ``search_searchdocument`` keep it in
step with every insert, update and delete, however the rows are written.

PostgreSQL: a GIN index on ``vector`` (which ``casework.search.services`` writes).

A later migration that alters ``search_searchdocument`` on SQLite makes Django rebuild the
table, which drops these triggers: such a migration must create them again (the test
``test_index_triggers_exist`` fails until it does).
"""

from django.db import migrations

TABLE = "search_searchdocument"
FTS = "search_fts"
COLUMNS = "heading, details, clinical"
NEW = "new.heading, new.details, new.clinical"
OLD = "old.heading, old.details, old.clinical"

SQLITE_UP = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}, content='{TABLE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    f"CREATE TRIGGER search_document_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END",
    f"CREATE TRIGGER search_document_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD}); END",
    f"CREATE TRIGGER search_document_au AFTER UPDATE OF {COLUMNS} ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD}); "
    f"INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_au",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRES_UP = [f"CREATE INDEX IF NOT EXISTS search_document_vector_gin ON {TABLE} USING gin (vector)"]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS search_document_vector_gin"]


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
