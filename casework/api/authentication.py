"""DRF authentication, permission and throttling for the agency API.

- ``TokenAuthentication``: ``Authorization: Bearer nsc_…``. A missing, unknown, expired or revoked
  token is 401 with ``WWW-Authenticate: Bearer``. The request's user is the token's agency account.
- ``HasScope``: each view names the scope it needs (``required_scope``); a token without it is 403.
- ``TokenRateThrottle``: a rate per token (``CASEWORK_API_RATE``, default 600 a minute) counted in
  Django's cache: the shared Redis in production (``CACHES``), so every app server counts the same.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from casework.api import services
from casework.api.models import ApiToken


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>")
        try:
            raw = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid") from None
        token = services.authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid, has expired or has been revoked")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class HasScope(permissions.BasePermission):
    message = "This token may not do this: it lacks the scope the operation needs"

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        scope = getattr(view, "required_scope", None)
        if scope is None:
            return False  # deny by default: a view that names no scope answers nobody
        if not token.has_scope(scope):
            self.message = f"This token lacks the scope {scope}"
            return False
        return True


class TokenRateThrottle(throttling.SimpleRateThrottle):
    scope = "api_token"

    def get_cache_key(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken):
            ident = f"token-{token.prefix}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes ``TokenAuthentication``: HTTP bearer."""

    target_class = "casework.api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "nsc_<prefix>_<secret>"}
