"""The system administrator's API token pages: list, make (the secret shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casework.accounts import queries as account_queries
from casework.api import queries, services
from casework.api.forms import TokenForm
from casework.api.models import Scope
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import show_refusal

SHOWN_ONCE = "api_token_shown_once"
GET_POST = ["GET", "POST"]


@never_cache
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "api.manage_tokens")
    page = paginate(request, queries.tokens_visible_to(request.user))
    record(
        action=Action.VIEW, request=request, object_type="api.apitoken", object_label=f"API tokens, page {page.number}"
    )
    # The secret of a token just made: in the session only until this page shows it, once.
    shown = request.session.pop(SHOWN_ONCE, None)
    new_token = queries.token_for(request.user, shown["pk"]) if shown else None
    return render(
        request,
        "api/token_list.jinja",
        {
            "page": page,
            "links": page_links(request, page),
            "new_token": new_token,
            "new_secret": shown["secret"] if new_token is not None else "",
            "scope_labels": dict(Scope.choices),
        },
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def token_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "api.manage_tokens")
    form = TokenForm(
        request.POST if request.method == "POST" else None,
        organisations=account_queries.organisation_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.token_create(
                by=request.user,
                request=request,
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except services.TokenRefused as refused:
            show_refusal(form, refused)
        else:
            request.session[SHOWN_ONCE] = {"pk": made.token.pk, "secret": made.secret}
            return redirect("api_tokens:list")
    return render(request, "api/token_form.jinja", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(GET_POST)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "api.manage_tokens")
    token = queries.token_for(request.user, pk)
    if token is None:
        raise Http404
    if not request.user.has_perm("api.revoke_token", token):
        raise PermissionDenied
    if request.method == "POST":
        services.token_revoke(by=request.user, token=token, request=request)
        messages.success(request, f"Token {token.prefix} revoked. Calls with it are refused from now on.")
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.jinja", {"token": token})
