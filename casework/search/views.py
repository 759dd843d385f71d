"""The search page: /search/?q=…&page=…"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.core.pagination import page_links
from casework.core.permissions import require
from casework.search import queries, services
from casework.search.forms import SearchForm


@never_cache
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    require(request.user, "search.use")
    searched = "q" in request.GET
    form = SearchForm(request.GET if searched else None)
    page = None
    if searched and form.is_valid():
        page = queries.search(request.user, form.query, request.GET.get("page"))
        services.audit_search(request=request, query=form.query, page=page)
    return render(request, "search/results.jinja", {
        "form": form,
        "page": page,
        "links": page_links(request, page) if page is not None else {},
        "results": list(page.object_list) if page is not None else [],
    }, status=400 if form.errors else 200)
