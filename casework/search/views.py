"""The search page: /search/?q=…&page=…"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.core.pagination import page_links
from casework.core.permissions import require
from casework.search import queries, services
from casework.search.forms import BreakGlassRouteForm, SearchForm
from casework.search.queries import PersonHit


@never_cache
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    require(request.user, "search.use")
    searched = "q" in request.GET
    form = SearchForm(request.GET if searched else None)
    page = None
    kind: str | None = None
    people: list[PersonHit] = []
    if searched and form.is_valid():
        query = form.query
        assert query is not None  # a valid form parsed its text
        kind, people = queries.people_by_identifier(request.user, form.cleaned_data["q"])
        page = queries.search(request.user, query, request.GET.get("page"))
        services.audit_search(request=request, query=query, page=page, people=people)
    return render(
        request,
        "search/results.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page) if page is not None else {},
            "results": list(page.object_list) if page is not None else [],
            "identifier_kind": kind,
            "people": people,
            "break_glass_form": BreakGlassRouteForm() if request.user.has_perm("access.use_break_glass") else None,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_GET
def break_glass_route(request: HttpRequest) -> HttpResponse:
    """From a reference to that record's break-glass page, without looking the record up: the page
    there decides (and answers 404 for a record that does not exist or needs no break-glass), so
    this route says nothing about any record."""
    require(request.user, "access.use_break_glass")
    form = BreakGlassRouteForm(request.GET if "reference" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect(form.target_url())
    return render(request, "search/break_glass_route.jinja", {"form": form}, status=400 if form.is_bound else 200)
