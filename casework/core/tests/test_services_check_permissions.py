"""Every service checks its own permissions (docs/conventions.md, ``casework.core.permissions``).

A public function of a ``services`` module that acts for someone (it takes ``by``) is decorated
with ``@requires(...)``, marked ``@system_service(...)``, or asks ``require(by, …)`` itself; a new
service that does none of these fails here, so no page, command or API can reach a write by
forgetting a check."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import casework


def service_modules():
    for info in pkgutil.walk_packages(casework.__path__, "casework."):
        name = info.name
        if ".tests" in name or ".migrations" in name:
            continue
        if (name.endswith(".services") or ".services." in name) and not name.rsplit(".", 1)[-1].startswith("_"):
            yield importlib.import_module(name)  # (a private ``_shared`` module holds helpers, not services)


def services_acting_for_someone():
    found = []
    for module in service_modules():
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if getattr(function, "__module__", "") != module.__name__:
                continue  # imported from elsewhere
            original = inspect.unwrap(function)
            if "by" in inspect.signature(original).parameters:
                found.append((f"{module.__name__}.{name}", function, original))
    return found


def test_there_are_services_to_check():
    assert len(services_acting_for_someone()) > 40


@pytest.mark.parametrize(
    "name,function,original", services_acting_for_someone(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_service_checks_its_permissions(name, function, original):
    decorated = getattr(function, "permissions", None) or getattr(function, "system_service", None)
    asks_itself = re.search(r"\brequire\w*\(\s*by\b", inspect.getsource(original)) is not None
    assert decorated or asks_itself, (
        f"{name} takes `by` but checks no permission: decorate it with @requires(...) or "
        "@system_service(...) (casework/core/permissions.py), or call require(by, ...) in it"
    )


def test_a_decorated_service_refuses_a_user_without_the_permission(db):
    from django.core.exceptions import PermissionDenied

    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role
    from casework.organisations.services import organisation_create

    with pytest.raises(PermissionDenied):
        organisation_create(by=UserFactory(role=Role.CLINICIAN), name="Nowhere Police", kind="police")
