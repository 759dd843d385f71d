"""The one way to search: ``search(user, text, page)``.

Results are only ever records the user may see at the moment of the search, decided by the access
rules (``casework.access.policy.visible``), the same as every page:

- referrals: the submitted referrals the user may read (none across an information barrier from
  the user's own cases, unless they broke glass into one);
- cases: the cases the user may read; a case's clinical content (incident descriptions, its
  parties) is searched only for users who may read clinical content (``cases.view_clinical``):
  a referrals coordinator finds a case by its reference and its subject's name alone.

The count, the pages and the snippets come from the same scoped query, so nothing hidden is
counted, ranked or hinted at. Callers audit each search (``services.audit_search``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from markupsafe import Markup

from casework.access import policy
from casework.cases.choices import STATUS_TAG_COLOUR as CASE_STATUS_COLOUR
from casework.cases.choices import CaseKind, CaseStatus
from casework.cases.models import Case
from casework.people.queries import identifier_kind, persons_with_identifier
from casework.referrals.choices import STATUS_TAG_COLOUR as REFERRAL_STATUS_COLOUR
from casework.referrals.choices import Status as ReferralStatus
from casework.referrals.models import Referral
from casework.search import backends
from casework.search.models import RecordType, SearchDocument
from casework.search.text import Query, has_highlight, highlighted, parse

PER_PAGE = 20


@dataclass(frozen=True)
class Result:
    record_type: str
    type_label: str
    reference: str
    url: str
    status: str
    status_colour: str
    subject: str
    snippet: Markup


def _may_search(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("search.use")


def referrals_in_scope(user) -> QuerySet[Referral]:
    """Submitted referrals ``user`` may find by searching."""
    if not _may_search(user):
        return Referral.objects.none()
    return policy.visible(user, Referral).exclude(status=ReferralStatus.DRAFT)


def cases_in_scope(user) -> QuerySet[Case]:
    """Cases ``user`` may find by searching."""
    if not _may_search(user):
        return Case.objects.none()
    return policy.visible(user, Case)


def searches_clinical_content(user) -> bool:
    return user.has_perm("cases.view_clinical")


def scope_for(user) -> backends.Scope:
    """The condition that a search document is the document of a record ``user`` may find: the
    referrals and cases apps' own querysets, each as ``EXISTS (… WHERE pk = record_id)`` so that
    the database checks only the documents that matched (deny by default: a user who may search
    nothing gets a condition nothing meets)."""
    if not _may_search(user):
        return backends.Scope(sql="1 = 0", params=[])
    cases = cases_in_scope(user)
    referrals = referrals_in_scope(user)
    condition = (Q(record_type=RecordType.REFERRAL) & Exists(referrals.filter(pk=OuterRef("record_id")))) | (
        Q(record_type=RecordType.CASE) & Exists(cases.filter(pk=OuterRef("record_id")))
    )
    query = SearchDocument.objects.filter(condition).query
    try:
        sql, params = query.get_compiler(connection=connection).compile(query.where)
    except EmptyResultSet:
        return backends.Scope(sql="1 = 0", params=[])
    return backends.Scope(sql=sql, params=list(params))


def _best_snippet(parts: backends.Snippets | None) -> Markup:
    """The part that matched, preferring the longer text (which shows the words in context) over
    the heading (which the result shows anyway)."""
    if parts is None:
        return Markup("")
    for text in (parts.clinical, parts.details, parts.heading):
        if has_highlight(text):
            return highlighted(text)
    return Markup("")


class Hits:
    """The hits of one search, for Django's paginator. The page asked for is read, with the count,
    in one statement; then its snippets, and its records' current status and subject: four
    statements of its own a page (besides any the visible-to queries run to build the scope),
    however many records there are."""

    def __init__(self, user, query: Query, *, expected_offset: int = 0) -> None:
        self.user = user
        self.query = query
        self.clinical = searches_clinical_content(user)
        self.scope = scope_for(user)
        self._expected_offset = expected_offset
        self._count: int | None = None
        self._pages: dict[tuple[int, int], list[backends.Hit]] = {}

    def _page(self, offset: int, limit: int) -> list[backends.Hit]:
        read = next((hits for (o, n), hits in self._pages.items() if o == offset and n >= limit), None)
        if read is not None:  # the paginator trims the last page to the count
            return read[:limit]
        if (offset, limit) not in self._pages:
            hits, total = backends.page(
                self.query, clinical=self.clinical, scope=self.scope, limit=limit, offset=offset
            )
            self._pages[(offset, limit)] = hits
            if total is not None:
                self._count = total
        return self._pages[(offset, limit)]

    def count(self) -> int:
        if self._count is None:
            self._page(self._expected_offset, PER_PAGE)
        if self._count is None:
            # The page asked for is empty: no hits at all, or a page past the end.
            self._count = (
                0
                if self._expected_offset == 0
                else backends.count(self.query, clinical=self.clinical, scope=self.scope)
            )
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Result]:
        if not isinstance(item, slice):
            raise TypeError("Hits are read a page at a time")
        offset = item.start or 0
        limit = (item.stop if item.stop is not None else offset + PER_PAGE) - offset
        if limit <= 0 or self.count() == 0:
            return []
        hits = self._page(offset, limit)
        snippets = backends.snippets(self.query, clinical=self.clinical, ids=[h.id for h in hits])
        records = _records(hits)
        results = []
        for hit in hits:
            record = records.get((hit.record_type, hit.record_id))
            if record is None:  # gone since the page was read
                continue
            results.append(Result(**record, reference=hit.reference, snippet=_best_snippet(snippets.get(hit.id))))
        return results


def _records(hits: list[backends.Hit]) -> dict[tuple[str, int], dict]:
    """The current status and subject of each hit's record. The hits come from the scoped query a
    moment before, so these are looked up by id (scoping them again would double the work)."""
    referral_ids = [h.record_id for h in hits if h.record_type == RecordType.REFERRAL]
    case_ids = [h.record_id for h in hits if h.record_type == RecordType.CASE]
    records: dict[tuple[str, int], dict] = {}
    if referral_ids:
        records.update(_referral_records(referral_ids))
    if case_ids:
        records.update(_case_records(case_ids))
    return records


def _referral_records(ids: list[int]) -> dict[tuple[str, int], dict]:
    rows = Referral.objects.filter(pk__in=ids).values(
        "pk", "reference", "status", "subject_given_name", "subject_family_name"
    )
    records = {}
    for row in rows:
        status = ReferralStatus(row["status"])
        records[(RecordType.REFERRAL.value, row["pk"])] = {
            "record_type": RecordType.REFERRAL.value,
            "type_label": "Referral",
            "url": reverse("referrals:detail", args=[row["reference"]]),
            "status": status.label,
            "status_colour": REFERRAL_STATUS_COLOUR[status],
            "subject": " ".join(n for n in (row["subject_given_name"], row["subject_family_name"]) if n) or "Not given",
        }
    return records


def _case_records(ids: list[int]) -> dict[tuple[str, int], dict]:
    rows = Case.objects.filter(pk__in=ids).values(
        "pk",
        "reference",
        "status",
        "kind",
        "subject__given_name",
        "subject__middle_names",
        "subject__family_name",
    )
    records = {}
    for row in rows:
        status = CaseStatus(row["status"])
        records[(RecordType.CASE.value, row["pk"])] = {
            "record_type": RecordType.CASE.value,
            "type_label": CaseKind(row["kind"]).label,
            "url": reverse("cases:detail", args=[row["reference"]]),
            "status": status.label,
            "status_colour": CASE_STATUS_COLOUR[status],
            "subject": " ".join(
                n for n in (row["subject__given_name"], row["subject__middle_names"], row["subject__family_name"]) if n
            ),
        }
    return records


@dataclass(frozen=True)
class PersonHit:
    """A person found by an identifier, with the cases about them the user may see."""

    reference: str
    name: str
    url: str
    cases: list[dict]


def people_by_identifier(user, text: str) -> tuple[str | None, list[PersonHit]]:
    """For an NHS number, PNC ID or prison number: its kind and the persons the user may see who
    hold it, each with their visible cases (three statements, however many are found). For any
    other text: (None, [])."""
    kind = identifier_kind(text)
    if kind is None or not _may_search(user):
        return kind, []
    persons = persons_with_identifier(user, text)
    cases: dict[int, list[dict]] = {}
    if persons:
        rows = (
            cases_in_scope(user)
            .filter(subject__in=[p.pk for p in persons])
            .order_by("-opened_on", "-id")
            .values("subject_id", "reference", "status", "kind")
        )
        for row in rows:
            status = CaseStatus(row["status"])
            cases.setdefault(row["subject_id"], []).append(
                {
                    "reference": row["reference"],
                    "url": reverse("cases:detail", args=[row["reference"]]),
                    "type_label": CaseKind(row["kind"]).label,
                    "status": status.label,
                    "status_colour": CASE_STATUS_COLOUR[status],
                }
            )
    return kind, [
        PersonHit(
            reference=p.reference,
            name=p.full_name,
            url=reverse("people:detail", args=[p.reference]),
            cases=cases.get(p.pk, []),
        )
        for p in persons
    ]


def search(user, text: str | Query, page: int | str | None = 1) -> Page:
    """One page of the records ``user`` may see that match ``text``, best first. ``text`` is
    what the user typed (``text.QueryError`` if it cannot be searched for) or an already parsed
    ``Query``. Out-of-range or malformed page numbers give the nearest page."""
    query = text if isinstance(text, Query) else parse(text)
    try:
        number = max(int(page or 1), 1)
    except (TypeError, ValueError):
        number = 1
    hits = Hits(user, query, expected_offset=(number - 1) * PER_PAGE)
    # Hits is read a page (a slice) at a time, which is all the paginator asks of it; the stubs'
    # protocol also wants indexing and iteration, which would read the whole result set.
    return Paginator(hits, PER_PAGE).get_page(page)  # type: ignore[arg-type]
