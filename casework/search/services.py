"""Keeping the search index current, and auditing searches.

The services that write referrals, cases and persons announce each change inside their own
transaction (``casework.core.changes.announce``); these listeners, registered in ``apps.py``, keep
the index current in the same transaction, so it changes with the record or not at all:

- ``index_referral(referral)`` after a referral is logged, submitted or edited (a draft is
  never indexed: indexing one removes any document it had);
- ``index_case(case)`` after a case is opened, a referral's work is added to it, or a party or
  an incident is added, changed or imported;
- ``index_cases_of_person(person)`` after a person's name changes or people are merged (a case's
  heading carries its subject's name);
- ``remove_referral`` / ``remove_case`` if a record is deleted.

Each reads the record again from the database, so a caller's stale object cannot put stale text
in the index. Status and who may see what are never indexed (they are read at search time), so
status changes, team changes and break-glass need no call. ``reindex_all`` rebuilds everything
(``manage.py reindex_search``).

Index writes are derived data, not changes to personal data, so they record no audit events of
their own; the change that caused them already has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from casework.audit.models import Action
from casework.audit.services import record
from casework.search import backends
from casework.search.documents import (
    Parts,
    case_parts,
    in_batches,
    indexable_cases,
    indexable_referrals,
    referral_parts,
)
from casework.search.models import RecordType, SearchDocument
from casework.search.text import Query

BATCH_SIZE = 500


def _save(parts: Parts) -> None:
    document, _ = SearchDocument.objects.update_or_create(
        record_type=parts.record_type,
        record_id=parts.record_id,
        defaults={
            "reference": parts.reference,
            "heading": parts.heading,
            "details": parts.details,
            "clinical": parts.clinical,
            "indexed_at": timezone.now(),
        },
    )
    backends.write_vectors([(document.pk, parts.heading, parts.details, parts.clinical)])


def remove(record_type: str, record_id: int) -> None:
    SearchDocument.objects.filter(record_type=record_type, record_id=record_id).delete()


def index_referral(referral) -> None:
    with transaction.atomic():
        current = indexable_referrals().filter(pk=referral.pk).first()
        if current is None:
            remove(RecordType.REFERRAL, referral.pk)
        else:
            _save(referral_parts(current))


def remove_referral(referral) -> None:
    remove(RecordType.REFERRAL, referral.pk)


def index_case(case) -> None:
    with transaction.atomic():
        current = indexable_cases().filter(pk=case.pk).first()
        if current is None:
            remove(RecordType.CASE, case.pk)
        else:
            _save(case_parts(current))


def remove_case(case) -> None:
    remove(RecordType.CASE, case.pk)


def index_cases_of_person(person) -> None:
    """Every case whose subject is ``person`` (its heading carries the subject's name)."""
    with transaction.atomic():
        for cases in in_batches(indexable_cases().filter(subject=person), BATCH_SIZE):
            _save_all([case_parts(case) for case in cases])


def _save_all(parts: list[Parts]) -> None:
    """Replace the documents of these records (delete and insert: one statement each per batch)."""
    if not parts:
        return
    now = timezone.now()
    for record_type in {p.record_type for p in parts}:
        SearchDocument.objects.filter(
            record_type=record_type, record_id__in=[p.record_id for p in parts if p.record_type == record_type]
        ).delete()
    documents = SearchDocument.objects.bulk_create(
        [
            SearchDocument(
                record_type=p.record_type,
                record_id=p.record_id,
                reference=p.reference,
                heading=p.heading,
                details=p.details,
                clinical=p.clinical,
                indexed_at=now,
            )
            for p in parts
        ]
    )
    # Both databases return the new ids from a bulk insert (PostgreSQL, SQLite 3.35 and later).
    backends.write_vectors([(d.pk, d.heading, d.details, d.clinical) for d in documents])


@dataclass(frozen=True)
class Reindexed:
    referrals: int
    cases: int


def reindex_all(*, batch_size: int = BATCH_SIZE) -> Reindexed:
    """Rebuild the whole index from the records, in one transaction (a search during the rebuild
    sees the old index until it commits)."""
    referrals = cases = 0
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        for batch in in_batches(indexable_referrals(), batch_size):
            _save_all([referral_parts(r) for r in batch])
            referrals += len(batch)
        for batch in in_batches(indexable_cases(), batch_size):
            _save_all([case_parts(c) for c in batch])
            cases += len(batch)
        backends.rebuild()
    return Reindexed(referrals=referrals, cases=cases)


# --- Auditing a search ------------------------------------------------------------------------


def query_fingerprint(query: Query) -> str:
    """A keyed hash of the words searched for. The audit trail never holds the words themselves
    (they are often a person's name); with the key (``AUDIT_HMAC_KEY``, not in the database) an
    investigator can check whether someone searched for a given name, and nobody without it can
    read one back."""
    return salted_hmac(
        "casework.search.query", query.normalised, secret=settings.AUDIT_HMAC_KEY, algorithm="sha256"
    ).hexdigest()


def audit_search(*, request: HttpRequest, query: Query, page, people=()) -> None:
    """One event per page of results shown: the fingerprint of the words, how many words, the
    page, how many results the user could see and the references shown (persons found by an
    identifier among them)."""
    record(
        action=Action.VIEW,
        request=request,
        object_type="search",
        object_label="search",
        changes={
            "query_fingerprint": query_fingerprint(query),
            "words": query.word_count,
            "page": page.number,
            "results": page.paginator.count,
            "shown": [result.reference for result in page.object_list]
            + [hit.reference for hit in people]
            + [case["reference"] for hit in people for case in hit.cases],
        },
    )
