"""The search index: one document per searchable record (a submitted referral, a case).

A document holds copies of text the record already keeps in clear, in three parts by who may
read them:

- ``heading``: the reference and the names (as the record shows them);
- ``details``: other text anyone who may see the record may read (a referral's behaviour
  summary and the names of the people it names);
- ``clinical``: a case's clinical content (its parties' names as given, its incident
  descriptions), searched only for users who may read clinical content.

Nothing encrypted at rest is ever copied here: no addresses, telephone numbers, email addresses,
online identifiers, workplaces, NHS numbers or PNC IDs, and none of a referral's free-text
"other details" (which holds addresses as the referrer gave them). ``documents.py`` decides
what goes in.

The full-text index itself depends on the database (migration 0002):

- SQLite: an FTS5 external-content table ``search_fts`` over these three columns, kept in step
  by triggers on this table;
- PostgreSQL: ``vector`` (weights A, B and C for the three parts), with a GIN index, written by
  ``services`` from the same words FTS5 sees. On SQLite the column exists and stays empty.

Who sees a result is never stored here: ``queries.search`` scopes every search through the
referrals and cases apps' own visible-to queries at the time of the search.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class RecordType(models.TextChoices):
    REFERRAL = "referral", "Referral"
    CASE = "case", "Case"


class SearchDocument(models.Model):
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    reference = models.CharField(max_length=20)
    heading = models.TextField()
    details = models.TextField(blank=True)
    clinical = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id"], name="search_document_record_unique"),
        ]

    def __str__(self) -> str:
        return f"Search document for {self.reference}"
