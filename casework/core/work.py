"""'My work': each app contributes the queues that matter to the signed-in user.

A section is a title, rows (already-scoped data) and the text shown when there is nothing yet,
which says what will appear there. Apps register a provider with ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from casework.core.pagination import counts_in_one, rows_with_total
from casework.core.roles import Role


@dataclass
class WorkItem:
    text: str
    href: str | None = None
    detail: str = ""
    tag: str = ""
    tag_colour: str = ""
    # More tags after ``tag``, as (text, colour): a case both escalating and likely breaching an order.
    tags: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class WorkSection:
    title: str
    empty_text: str
    items: list[WorkItem] = field(default_factory=list)
    more_href: str | None = None
    count: int | None = None


SECTION_LIMIT = 10


def first_rows_and_count(queryset: Any, limit: int = SECTION_LIMIT) -> tuple[list[Any], int]:
    """The first ``limit`` rows of ``queryset`` and the number of all its rows, read in one query
    (``pagination.rows_with_total``: the scoped query is compiled and run once, not once to count and
    again for the rows; My work asks this of every section: issue 19). A query that cannot carry its
    count (``pagination.counts_in_one``: DISTINCT, combined, sliced or values) is counted apart."""
    if not counts_in_one(queryset):
        count = queryset.count()
        return list(queryset[:limit]), count
    rows, total = rows_with_total(queryset, 0, limit)
    return rows, total or 0


def queue_section(
    title: str,
    empty_text: str,
    queryset: Any,
    item: Callable[[Any], WorkItem],
    more_href: str | None = None,
    *,
    limit: int = SECTION_LIMIT,
) -> WorkSection:
    """A section of the first ``limit`` rows of ``queryset`` (already scoped and ordered), each shown
    by ``item``, with the count of all of them: two queries, however many rows there are. The link
    to ``more_href`` shows when there are more rows than are shown."""
    # (A service-wide queue can be long: counted apart, the count is read from an index and the rows
    # stop at ``limit``, where one query would carry every row through the count: measured slower
    # for the coordinator's queues at national scale.)
    count = queryset.count()
    rows = list(queryset[:limit])
    return WorkSection(
        title=title,
        empty_text=empty_text,
        items=[item(row) for row in rows],
        count=count,
        more_href=more_href if count > len(rows) else None,
    )


Provider = Callable[[HttpRequest], list[WorkSection]]
_PROVIDERS: list[tuple[int, Provider]] = []


def register(order: int) -> Callable[[Provider], Provider]:
    def decorator(provider: Provider) -> Provider:
        _PROVIDERS.append((order, provider))
        _PROVIDERS.sort(key=lambda pair: pair[0])
        return provider

    return decorator


def sections_for(request: HttpRequest) -> list[WorkSection]:
    sections: list[WorkSection] = []
    for _, provider in _PROVIDERS:
        sections.extend(provider(request))
    return sections


def role_summary(role: Any) -> str:
    return {
        Role.REFERRALS_COORDINATOR: "Log and screen referrals, chase missing information and send letters.",
        Role.CLINICIAN: "Your allocated cases, assessments, reports and treatment sessions.",
        Role.CLINICAL_LEAD: "Allocate work, sign off assessments and reports, and review access to records.",
        Role.FINANCE_OFFICER: "Contracts, quotes, invoices and payments.",
        Role.RESEARCHER: "Pseudonymised extracts and statistics. You never see identities.",
        Role.SYSTEM_ADMINISTRATOR: "Manage user accounts, roles and organisations.",
        Role.AGENCY_REFERRER: "Refer cases to the clinic and follow their progress.",
    }.get(Role(role), "")
