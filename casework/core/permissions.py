"""One way to refuse: ``require(user, permission, obj)`` raises ``PermissionDenied`` (a 403) unless
the ``rules`` permission allows it. Views use it for actions on records the user can see (a record
they cannot see is a 404: ``casework.access.policy.get_or_404``); services use it too.

The services convention (docs/conventions.md): **every service checks its own permissions**, so a
page, a command, the API or a test cannot reach a write by forgetting a check. A public service is
either decorated with ``@requires("app.permission", obj="argument")`` — the permission is asked of
its ``by`` argument about the named argument — or, when no user stands behind it (the background
worker, the demo seeder, a migration), marked ``@system_service("why")``. A test
(``casework/core/tests/test_services_check_permissions.py``) fails when a public service is neither.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied

F = TypeVar("F", bound=Callable[..., Any])


def require(user, permission: str, obj=None) -> None:
    """403 unless ``user`` holds ``permission`` (about ``obj``)."""
    if user is None or not user.has_perm(permission, obj):
        raise PermissionDenied


def requires(*permissions: str, obj: str | None = None, by: str = "by") -> Callable[[F], F]:
    """Decorate a service: before it runs, its ``by`` argument must hold every one of
    ``permissions`` about its ``obj`` argument (keyword-only arguments, as services take them)."""

    def decorate(service: F) -> F:
        signature = inspect.signature(service)

        @functools.wraps(service)
        def checked(*args, **kwargs):
            bound = signature.bind_partial(*args, **kwargs)
            user = bound.arguments.get(by)
            target = bound.arguments.get(obj) if obj else None
            for permission in permissions:
                require(user, permission, target)
            return service(*args, **kwargs)

        checked.permissions = permissions  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def system_service(reason: str) -> Callable[[F], F]:
    """Mark a service that no user calls directly, saying why it checks no permission."""

    def decorate(service: F) -> F:
        service.system_service = reason  # type: ignore[attr-defined]
        return service

    return decorate
