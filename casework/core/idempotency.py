"""Idempotency tokens: a create form sent twice creates one record.

Every POST form in the templates carries a hidden ``idempotency_token`` next to its CSRF token
(``{{ idempotency_input(request) }}``), issued when the form is rendered: random, and signed for
the signed-in user, so it cannot be used by anyone else. A view that creates a record is
decorated with ``@creates_record``:

- The first POST with a token claims it (a row in ``SubmittedForm``, unique by the token's
  digest) in the same transaction as everything the view writes; when the view answers with a
  redirect (it made the record), the row keeps where the redirect led and commits with the
  record. When it answers otherwise (the form was refused), the claim is undone, so the user can
  correct the form and send it again with the same token.
- The same token sent again, after the first committed, creates nothing: the answer is a redirect
  to where the first submission led (the record it made), with a message saying so. This holds
  when the first answer never reached the browser (a dropped connection, a retry) and for two
  requests at once (a double click): the second waits on the token's unique index (PostgreSQL) or
  on the write lock (SQLite) until the first commits.
- A token that is not this user's (or is malformed) is refused (400). A POST without a token
  (a client that did not render the form) is handled as before, without the guarantee.

See docs/adr/0012-idempotency-tokens.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from markupsafe import Markup

from casework.core.errors import error_page
from casework.core.models import SubmittedForm

FIELD = "idempotency_token"
# Tokens older than this are forgotten (a form left open longer is a new submission).
KEEP_FOR = dt.timedelta(days=2)
REPLAYED_MESSAGE = "This form was already sent, and was saved once. This is what it made."


class TokenRefused(Exception):
    """The token was not issued to this user."""


def _signer(request: HttpRequest) -> signing.Signer:
    return signing.Signer(salt=f"casework.idempotency.user.{request.user.pk}")


def issue(request: HttpRequest) -> str:
    return _signer(request).sign(secrets.token_urlsafe(24))


def valid_token(request: HttpRequest, token: str) -> bool:
    try:
        _signer(request).unsign(token)
    except signing.BadSignature:
        return False
    return True


def token_for_form(request: HttpRequest) -> str:
    """The token a rendered form carries: the one just sent, when a refused form is shown again
    (so that the corrected form is the same submission), otherwise a new one."""
    sent = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return sent if sent and valid_token(request, sent) else issue(request)


def hidden_input(request) -> Markup:
    """``{{ idempotency_input(request) }}`` in a POST form (nothing for a signed-out visitor)."""
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token_for_form(request))


def _digest(token: str, path: str) -> str:
    """The token for this address: a page's forms share a token, but each form posts to its own."""
    return hashlib.sha256(f"{token}\n{path}".encode()).hexdigest()


def _claim(request: HttpRequest, digest: str) -> SubmittedForm | None:
    """Claim the token; None when another submission already has it."""
    assert request.user.is_authenticated  # create views are behind sign-in (LoginRequiredMiddleware)
    try:
        with transaction.atomic():
            return SubmittedForm.objects.create(token_digest=digest, user=request.user, submitted_at=timezone.now())
    except IntegrityError:
        return None


def _replay(request: HttpRequest, digest: str) -> HttpResponse:
    assert request.user.is_authenticated  # create views are behind sign-in (LoginRequiredMiddleware)
    first = SubmittedForm.objects.filter(token_digest=digest, user=request.user).first()
    if first is None or not first.result_url:
        raise TokenRefused
    messages.info(request, REPLAYED_MESSAGE)
    return redirect(first.result_url)


def handle_once(request: HttpRequest, view: Callable[[], HttpResponse]) -> HttpResponse:
    """Run ``view`` (a create view's POST) at most once for the token the request carries."""
    token = request.POST.get(FIELD, "")
    if not token:
        return view()
    if not valid_token(request, token):
        raise TokenRefused
    digest = _digest(token, request.path)
    with transaction.atomic():
        claim = _claim(request, digest)
        if claim is not None:
            response = view()
            if isinstance(response, HttpResponseRedirect):
                claim.result_url = response["Location"][:500]
                claim.save(update_fields=["result_url"])
            else:
                claim.delete()
            SubmittedForm.objects.filter(submitted_at__lt=timezone.now() - KEEP_FOR).delete()
            return response
    return _replay(request, digest)


def creates_record(view_func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view whose POST creates a record: a token sent twice creates one record."""

    @wraps(view_func)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST" or not request.user.is_authenticated:
            return view_func(request, *args, **kwargs)
        try:
            return handle_once(request, lambda: view_func(request, *args, **kwargs))
        except TokenRefused:
            return error_page(
                request, 400, "Sorry, this form has expired", "Go back, reload the page and fill in the form again."
            )

    wrapped.creates_record = True  # type: ignore[attr-defined]
    return wrapped
