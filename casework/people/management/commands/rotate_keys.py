"""Re-encrypt every encrypted value in the person index under the newest field-encryption key.

Rotation procedure (docs/adr/0006-field-encryption.md):

1. Generate a key: ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``.
2. Put it first in ``FIELD_ENCRYPTION_KEYS`` and keep the old keys after it; restart the app.
   New values are now written under the new key; old ones still decrypt.
3. Run ``manage.py rotate_keys``. It walks each table in primary-key order, in batches
   (``--batch-size``), each batch one transaction. A value the newest key alone already decrypts
   is skipped, so the command is safe to interrupt and run again; ``--limit`` stops after that
   many values have been re-encrypted.
4. When it reports nothing left to rotate, remove the old keys from ``FIELD_ENCRYPTION_KEYS``.

``--reindex`` rebuilds the blind indexes and matching keys from the decrypted values instead,
after changing ``BLIND_INDEX_KEY``: set the new key as ``BLIND_INDEX_KEY`` and the old one as
``BLIND_INDEX_PREVIOUS_KEY``, restart, run ``rotate_keys --reindex`` (look-ups by NHS number,
email and phone find everyone throughout: they search under both keys), then remove
``BLIND_INDEX_PREVIOUS_KEY`` and restart. Run ``rotate_keys --reindex`` with the keys unchanged
after a release that changes how matching keys or canonical forms are made
(``casework.core.identifiers``, ``casework.people.matching.blocking``): it recomputes them.

Nothing decrypted is ever printed: only table names, counts and row ids.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Model

from casework.people import crypto
from casework.people.candidates import refresh_match_keys
from casework.people.fields import EncryptedTextField
from casework.people.models import Person


def encrypted_columns() -> list[tuple[type[Model], list[str]]]:
    """Every model of the people app with its encrypted columns."""
    found = []
    for model in apps.get_app_config("people").get_models():
        # (A concrete field always has a column; the stubs allow None.)
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField) and f.column]
        if columns:
            found.append((model, columns))
    return found


class Command(BaseCommand):
    help = "Re-encrypt encrypted person data under the newest key (or rebuild blind indexes with --reindex)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500)")
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="Stop after re-encrypting this many values (the rest on the next run)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would be re-encrypted; change nothing")
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Rebuild blind indexes and matching keys (after BLIND_INDEX_KEY changes)",
        )

    def handle(self, *args, batch_size: int, limit: int | None, dry_run: bool, reindex: bool, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if reindex:
            self._reindex(batch_size, limit)
            return
        remaining = limit
        total_rotated = 0
        failures: list[str] = []
        for model, columns in encrypted_columns():
            rotated, current, failed, stopped = self._rotate_table(model, columns, batch_size, remaining, dry_run)
            failures += failed
            total_rotated += rotated
            verb = "would re-encrypt" if dry_run else "re-encrypted"
            self.stdout.write(f"{model._meta.db_table}: {verb} {rotated}, already under the newest key {current}")
            if remaining is not None:
                remaining -= rotated
            if stopped:
                self.stdout.write(
                    self.style.WARNING(f"Stopped at the limit of {limit}: run rotate_keys again to finish.")
                )
                break
        if failures:
            raise CommandError(
                f"{len(failures)} values could not be decrypted with any configured key: " + ", ".join(failures[:20])
            )
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total_rotated} values {'to re-encrypt' if dry_run else 're-encrypted'}.")
        )

    def _rotate_table(self, model, columns: list[str], batch_size: int, limit: int | None, dry_run: bool):
        """Returns (re-encrypted, already current, failures, stopped at the limit)."""
        quote = connection.ops.quote_name
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        select = f"SELECT {pk}, {', '.join(quote(c) for c in columns)} FROM {table} WHERE {pk} > %s ORDER BY {pk}"  # noqa: S608 (names from _meta)
        select += f" LIMIT {int(batch_size)}"
        rotated = current = 0
        failures: list[str] = []
        last = 0
        while True:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(select, [last])
                    rows = cursor.fetchall()
                if not rows:
                    return rotated, current, failures, False
                for row in rows:
                    last = row[0]
                    for column, token in zip(columns, row[1:]):
                        if not token:
                            continue
                        if crypto.is_current(token):
                            current += 1
                            continue
                        if limit is not None and rotated >= limit:
                            return rotated, current, failures, True
                        try:
                            new = crypto.rotate(token)
                        except crypto.DecryptionError:
                            failures.append(f"{model._meta.db_table}.{column} id {row[0]}")
                            continue
                        if not dry_run:
                            # Compare-and-swap: a value the application rewrote meanwhile is left alone.
                            with connection.cursor() as cursor:
                                cursor.execute(
                                    f"UPDATE {table} SET {quote(column)} = %s WHERE {pk} = %s AND {quote(column)} = %s",  # noqa: S608
                                    [new, row[0], token],
                                )
                        rotated += 1

    def _reindex(self, batch_size: int, limit: int | None) -> None:
        """Rebuild every blind index and matching key under the current BLIND_INDEX_KEY.

        Look-ups keep working throughout: with BLIND_INDEX_PREVIOUS_KEY set they search under both
        keys, and each row holds its index under one or the other. The key check value moves to
        the new key last, so the service refuses to start without the previous key until the
        rebuild is done. ``--limit`` stops after that many rows (the rest on the next run)."""
        from casework.people.keycheck import move_blind_index_to_current_key

        updated = 0
        remaining = limit

        def spend() -> bool:
            nonlocal remaining
            if remaining is None:
                return True
            if remaining <= 0:
                return False
            remaining -= 1
            return True

        for model in apps.get_app_config("people").get_models():
            if not hasattr(model, "refresh_blind_indexes"):
                continue
            last = 0
            while True:
                with transaction.atomic():
                    batch = list(model._default_manager.filter(pk__gt=last).order_by("pk")[:batch_size])
                    if not batch:
                        break
                    for obj in batch:
                        last = obj.pk
                        before = {
                            f.attname: getattr(obj, f.attname)
                            for f in model._meta.concrete_fields
                            if f.attname.endswith("_bidx")
                        }
                        changed = obj.refresh_blind_indexes()
                        if not changed:
                            continue
                        if not spend():
                            return self._stopped(limit)
                        # Compare-and-swap: a row the application rewrote meanwhile already has its
                        # index under the current key, and is left alone.
                        model._default_manager.filter(pk=obj.pk, **{name: before[name] for name in changed}).update(
                            **{name: getattr(obj, name) for name in changed}
                        )
                        updated += 1
            self.stdout.write(f"{model._meta.db_table}: blind indexes checked")
        last = 0
        persons = 0
        while True:
            with transaction.atomic():
                people_batch = list(Person.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
                if not people_batch:
                    break
                for person in people_batch:
                    last = person.pk
                    if not spend():
                        return self._stopped(limit)
                    refresh_match_keys(person)
                    persons += 1
        move_blind_index_to_current_key()
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {updated} rows had new blind indexes; matching keys rebuilt for {persons} persons. "
                "If BLIND_INDEX_PREVIOUS_KEY is set, remove it now and restart."
            )
        )

    def _stopped(self, limit: int | None) -> None:
        self.stdout.write(
            self.style.WARNING(
                f"Stopped at the limit of {limit}: run rotate_keys --reindex again to finish. "
                "Keep BLIND_INDEX_PREVIOUS_KEY set until it reports done."
            )
        )
