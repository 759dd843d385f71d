from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.db.models.query import ModelIterable
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25
# The name of the total each row carries (``rows_with_total``).
TOTAL = "rows_total"


def counts_in_one(queryset) -> bool:
    """Whether ``rows_with_total`` can read ``queryset``'s rows and total in one query. Not for a
    ``DISTINCT`` query (the window would count the rows before they are made distinct), a combined
    one (``union``: it cannot be annotated), a sliced one, or one giving values, not records."""
    query = queryset.query
    return not (query.distinct or query.combinator or query.is_sliced or queryset._iterable_class is not ModelIterable)


def rows_with_total(queryset, start: int, stop: int) -> tuple[list, int | None]:
    """The rows ``start:stop`` of ``queryset`` and the number of all its rows, read in one query:
    each row carries the total (``COUNT(*) OVER ()``), so the query is compiled and its matches found
    once, not once to count them and again for the rows. The total is ``None`` when no row came back
    past the start (a page past the end), where the window has nothing to carry it on. The caller
    checks ``counts_in_one`` first."""
    rows = list(queryset.annotate(**{TOTAL: Window(Count("*"))})[start:stop])
    if rows:
        return rows, getattr(rows[0], TOTAL)
    return rows, 0 if start == 0 else None


def paginate(request: HttpRequest, queryset, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """One page of ``queryset``; an out-of-range or malformed page number gives the nearest page."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def paginate_counted(request: HttpRequest, queryset, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """``paginate``, with the page and the total read in one query: each row of the page carries the
    number of rows (``COUNT(*) OVER ()``), so the matching rows are found once, not once to count
    them and again to page them (the person list's name search: docs/benchmarks/load.md).

    For a filtered list (a search), whose matches are read whole anyway to be sorted: on a whole
    table the count would carry every row through the window, where ``paginate`` walks an index to
    the page and counts apart. A page past the end, or a malformed or non-positive number, is
    answered as ``paginate`` answers it (the count and the nearest page: two more queries), as is a
    query that cannot carry its count (``counts_in_one``)."""
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page")
    try:
        number = 1 if raw is None else int(raw)
    except (TypeError, ValueError):
        number = 1
    if number < 1 or not counts_in_one(queryset):
        return paginator.get_page(raw)
    start = (number - 1) * per_page
    rows, total = rows_with_total(queryset, start, start + per_page)
    if total is None:
        return paginator.get_page(number)
    paginator.count = total  # the cached property, known already
    return Page(rows, number, paginator)


def page_links(request: HttpRequest, page: Page) -> dict:
    """Previous/next links for the NHS pagination component, keeping the other query parameters."""
    params = request.GET.copy()

    def href(number: int) -> str:
        params["page"] = str(number)
        return f"?{params.urlencode()}"

    return {
        "previous": {
            "href": href(page.previous_page_number()),
            "labelText": f"{page.number - 1} of {page.paginator.num_pages}",
        }
        if page.has_previous()
        else None,
        "next": {"href": href(page.next_page_number()), "labelText": f"{page.number + 1} of {page.paginator.num_pages}"}
        if page.has_next()
        else None,
    }
