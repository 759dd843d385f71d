from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25
# The name of the total each row of a counted page carries (``paginate_counted``).
TOTAL = "page_total_rows"


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
    answered as ``paginate`` answers it (the count and the nearest page: two more queries)."""
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page")
    try:
        number = 1 if raw is None else int(raw)
    except (TypeError, ValueError):
        number = 1
    if number < 1:
        return paginator.get_page(raw)
    start = (number - 1) * per_page
    rows = list(queryset.annotate(**{TOTAL: Window(Count("*"))})[start : start + per_page])
    if rows or number == 1:
        paginator.count = getattr(rows[0], TOTAL) if rows else 0  # the cached property, known already
        return Page(rows, number, paginator)
    return paginator.get_page(number)


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
