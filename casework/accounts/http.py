"""The request a view behind sign-in receives, as the type checker should see it."""

from __future__ import annotations

from django.http import HttpRequest

from casework.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in user. Django's ``LoginRequiredMiddleware`` turns away anyone
    signed out before any view not marked ``@login_not_required`` runs, so such a view may annotate
    its request with this: ``request.user`` is then a ``User``, not ``User | AnonymousUser``.
    An annotation only: Django still builds a plain ``HttpRequest``."""

    user: User
