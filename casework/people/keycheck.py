"""Does this service hold the keys its database was written with?

Restoring a database without its keys, or starting with the wrong ones, used to go unnoticed
until person and case pages answered 500 (field keys), look-ups by identifier silently found
nobody (blind-index key), or the audit chain stopped verifying (audit key). Now:

- ``ensure_key_check`` writes ``KeyCheck`` (a known value encrypted with the field keys, and its
  blind index) after ``migrate``, once, if the keys in force can read the data already there;
- ``key_problems`` decrypts it, compares the blind index (current or, during a rebuild, previous
  key) and checks the audit chain head's seal against ``AUDIT_HMAC_KEY``. A database without a
  key check (written before it existed) is tested on a sample of its encrypted values instead;
- the service refuses to start when there is a problem: the system check ``casework.E010``
  (``runserver``, ``migrate``, ``check``), ``casework/wsgi.py`` (gunicorn) and ``db_worker``;
  ``/healthz`` answers 503.

Messages name the setting at fault and what to do; never a key, a token or a value.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.utils import timezone

from casework.people import crypto

logger = logging.getLogger("casework.keys")

KNOWN_PLAINTEXT = "NSC Casework key check: this value decrypts with the field keys in use"
BLIND_KIND = "keycheck"
TABLE = "people_keycheck"

FIELD_KEYS_MESSAGE = (
    "FIELD_ENCRYPTION_KEYS cannot decrypt the data in this database: none of the configured keys "
    "decrypts its key check value. Start it with the keys that were in use when its data was written "
    "(kept apart from the database, see README: Keys and backups)."
)
BLIND_KEY_MESSAGE = (
    "BLIND_INDEX_KEY is not the key this database's blind indexes were made with, so look-ups by NHS "
    "number, email or phone would find nobody. Set the key in use, or, while changing it, set "
    "BLIND_INDEX_PREVIOUS_KEY to the old key until `manage.py rotate_keys --reindex` reports done."
)
AUDIT_KEY_MESSAGE = (
    "AUDIT_HMAC_KEY is not the key this database's audit chain was sealed with: new events would break "
    "the chain and verify_audit would fail. Start it with the audit key in use."
)


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _fetchone(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _decrypts(token: str) -> bool:
    try:
        crypto.decrypt(token)
    except (crypto.DecryptionError, ImproperlyConfigured):
        return False
    return True


def sample_encrypted_token() -> str | None:
    """One stored token from the person index, if it holds any (for databases with no key check)."""
    from casework.people.management.commands.rotate_keys import encrypted_columns

    quote = connection.ops.quote_name
    for model, columns in encrypted_columns():
        if model._meta.db_table == TABLE:
            continue
        for column in columns:
            row = _fetchone(
                f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} "  # noqa: S608 - names from _meta
                f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> '' LIMIT 1"
            )
            if row:
                return row[0]
    return None


def _field_and_blind_problems(tables: set[str]) -> list[str]:
    if TABLE not in tables:
        return []
    row = _fetchone(f"SELECT encrypted, blind_index FROM {TABLE} WHERE id = 1")  # noqa: S608 - fixed name
    if row is None:
        token = sample_encrypted_token() if "people_person" in tables else None
        return [FIELD_KEYS_MESSAGE] if token is not None and not _decrypts(token) else []
    token, stored_index = row
    problems = []
    try:
        if crypto.decrypt(token) != KNOWN_PLAINTEXT:
            problems.append(FIELD_KEYS_MESSAGE)
    except (crypto.DecryptionError, ImproperlyConfigured):
        problems.append(FIELD_KEYS_MESSAGE)
    if stored_index not in crypto.blind_indexes(BLIND_KIND, KNOWN_PLAINTEXT):
        problems.append(BLIND_KEY_MESSAGE)
    return problems


def _audit_problems(tables: set[str]) -> list[str]:
    from casework.audit import chain

    if "audit_chainhead" not in tables:
        return []
    row = _fetchone("SELECT sequence, entry_hash, seal FROM audit_chainhead WHERE id = 1")
    if row is None or not row[2]:
        return []
    sequence, entry_hash, seal = row
    return [] if chain.head_seal(int(sequence), entry_hash) == seal else [AUDIT_KEY_MESSAGE]


def key_problems() -> list[str]:
    """What is wrong with the keys for this database; [] when all is well or the database cannot
    be reached (``/healthz`` reports that separately)."""
    try:
        tables = _tables()
        return _field_and_blind_problems(tables) + _audit_problems(tables)
    except DatabaseError:
        return []


def ensure_key_check(**kwargs) -> None:
    """After ``migrate``: write the key check if there is none and the keys in force can read the
    data already there (if they cannot, write nothing: ``key_problems`` reports it)."""
    from casework.people.models import KeyCheck

    try:
        tables = _tables()
        if TABLE not in tables or KeyCheck.objects.exists():
            return
        token = sample_encrypted_token()
        if token is not None and not _decrypts(token):
            logger.critical(FIELD_KEYS_MESSAGE)
            return
        KeyCheck.objects.create(
            id=1,
            encrypted=KNOWN_PLAINTEXT,
            blind_index=crypto.blind_index(BLIND_KIND, KNOWN_PLAINTEXT),
            created_at=timezone.now(),
        )
    except DatabaseError:
        logger.warning("Could not write the key check value; it will be written at the next migrate")


def move_blind_index_to_current_key() -> None:
    """The end of a blind-index rebuild: the key check's index under the current key."""
    from casework.people.models import KeyCheck

    KeyCheck.objects.filter(id=1).update(blind_index=crypto.blind_index(BLIND_KIND, KNOWN_PLAINTEXT))


def keys_can_read_the_database() -> str | None:
    """``/healthz``'s check (casework.core.health): None when the keys in force can read this
    database's data, otherwise what is wrong in a few words (never a key)."""
    return "the keys in force cannot read this database" if key_problems() else None
