"""What the access rules work out once per request and reuse (ADR 0025).

A page asks "what may this user see?" many times: every section of My work, every panel of a case
page starts from ``policy.visible``, and each answer needs the information barrier evaluated
(``barrier``: which cases, persons and referrals stand across one from the user's side). Within one
request the answer does not change, so it is remembered here for the request's lifetime and thrown
away at its end.

- ``RequestScopeMiddleware`` opens a scope for each request that cannot change a relationship
  (GET, HEAD, OPTIONS) and closes it when the response is made. A POST (which may allocate, add to a
  team, record a party, open a grant) is never remembered: every question in it is asked afresh.
- Outside a request (services, the worker, management commands, tests that call the rules
  directly) nothing is remembered, so a change made a line earlier is always seen.
- Inside a scope, a saved or deleted row of a model the rules read (a case, a team member, a party,
  a referral, a person, a link, a care-team member, a break-glass grant) empties the scope
  (``forget``), as does ``policy.forget``. A GET that changes a relationship therefore still sees it.

The store is a ``ContextVar``: each thread (and each asyncio task) has its own, and it cannot leak
from one request to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_store: ContextVar[dict[Hashable, Any] | None] = ContextVar("casework_access_request_scope", default=None)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def request_scope() -> Iterator[dict[Hashable, Any]]:
    """Remember access answers until the block ends (one request)."""
    store: dict[Hashable, Any] = {}
    token = _store.set(store)
    try:
        yield store
    finally:
        _store.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, worked out at most once per request scope (every time outside one)."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def active() -> bool:
    return _store.get() is not None


def forget(*_args: Any, **_kwargs: Any) -> None:
    """Empty the current scope (a relationship changed). Usable as a signal receiver."""
    store = _store.get()
    if store is not None:
        store.clear()


def forget_on_change(*models: type[Model]) -> None:
    """Empty the scope whenever a row of one of ``models`` is saved or deleted. Connected per model
    (never to every model: a receiver for every sender would stop Django's fast bulk deletes)."""
    for model in models:
        post_save.connect(forget, sender=model, dispatch_uid=f"access-memo-save-{model._meta.label_lower}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"access-memo-delete-{model._meta.label_lower}")


class RequestScopeMiddleware:
    """Opens a request scope for requests that cannot change a relationship (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        with request_scope():
            return self.get_response(request)
