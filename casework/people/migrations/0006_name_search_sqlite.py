"""Name search served by an FTS5 trigram index on SQLite (ADR 0025).

PostgreSQL has the ``pg_trgm`` indexes of 0005; nothing is created there. On SQLite one FTS5 table,
``people_name_fts``, with the ``trigram`` tokenizer holds one row per person (its ``rowid`` is the
person's id) whose one column is every name of the person: given, family, middle and preferred
names and each previous name's and alias's given and family names, separated by spaces. A word the
person list searches for is split on whitespace, so it never spans two names, and a trigram phrase
match of it is a substring match of one name, case-folded (``queries._named``).

The table keeps its own copy of the names (neither external-content nor contentless): its row is
made from two tables, which an external-content table cannot read, and both other kinds must be
told a row's *old* text to delete it, which a trigger on a previous name cannot know for the
person's whole row. A table with its own content deletes by ``rowid``, so each trigger simply
deletes the person's row and inserts it again from the tables as they now are. Names are not
encrypted (ADR 0006), so the copy discloses nothing the tables do not.

Triggers on both tables keep it in step, so bulk paths that send no signals (``bulk_create``,
merges, ``QuerySet.update``, the demo, the load seed) are covered. Caution: Django remakes a SQLite
table for many schema changes, and dropping the old table drops its triggers;
``test_name_search_fts.py`` checks that every trigger is still there after all migrations.
"""

from django.db import migrations

MIN_SQLITE = (3, 34, 0)  # the trigram tokenizer

# Every name of the person ``{id}``, one string. The separator is a space: a searched word has no
# whitespace (``str.split``), so it cannot match across two names.
_NAMES = (
    "SELECT p.id, p.given_name || ' ' || p.family_name || ' ' || p.middle_names || ' ' || p.preferred_name"
    " || COALESCE((SELECT ' ' || group_concat(n.given_name || ' ' || n.family_name, ' ')"
    " FROM people_personname n WHERE n.person_id = p.id), '')"
    " FROM people_person p WHERE p.id = {id}"
)


def _refresh(person_id: str) -> str:
    return f"DELETE FROM people_name_fts WHERE rowid = {person_id}; INSERT INTO people_name_fts(rowid, names) " + (
        _NAMES.format(id=person_id) + ";"
    )


TRIGGERS = {
    "people_name_fts_person_insert": f"AFTER INSERT ON people_person BEGIN {_refresh('new.id')} END",
    "people_name_fts_person_update": (
        "AFTER UPDATE OF id, given_name, family_name, middle_names, preferred_name ON people_person BEGIN "
        f"DELETE FROM people_name_fts WHERE rowid = old.id; {_refresh('new.id')} END"
    ),
    "people_name_fts_person_delete": "AFTER DELETE ON people_person BEGIN "
    "DELETE FROM people_name_fts WHERE rowid = old.id; END",
    "people_name_fts_name_insert": f"AFTER INSERT ON people_personname BEGIN {_refresh('new.person_id')} END",
    "people_name_fts_name_update": (
        "AFTER UPDATE OF person_id, given_name, family_name ON people_personname BEGIN "
        f"{_refresh('old.person_id')} {_refresh('new.person_id')} END"
    ),
    "people_name_fts_name_delete": f"AFTER DELETE ON people_personname BEGIN {_refresh('old.person_id')} END",
}


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    if tuple(int(part) for part in version.split(".")[:3]) < MIN_SQLITE:
        raise RuntimeError(
            f"SQLite {version} has no FTS5 trigram tokenizer (3.34 or newer is needed) for the person "
            "name search index (people migration 0006, ADR 0025). Use a newer SQLite."
        )
    schema_editor.execute("CREATE VIRTUAL TABLE people_name_fts USING fts5(names, tokenize = 'trigram')")
    for name, body in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER {name} {body}")
    # The persons there already (a person's name rows are read through the trigger's own query).
    schema_editor.execute("INSERT INTO people_name_fts(rowid, names) " + _NAMES.replace(" WHERE p.id = {id}", ""))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    schema_editor.execute("DROP TABLE IF EXISTS people_name_fts")


class Migration(migrations.Migration):
    dependencies = [("people", "0005_name_search")]
    operations = [migrations.RunPython(forwards, backwards)]
