from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25


def paginate(request: HttpRequest, queryset, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """One page of ``queryset``; an out-of-range or malformed page number gives the nearest page."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


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
