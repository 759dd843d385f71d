"""The access system checks: registrations fit, and the rules read what the owning app reads."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import models

from casework.access import checks, registry


def _ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def test_every_registration_fits_today():
    assert checks.registrations_fit() == []


@dataclass
class _Manager:
    name: str


class _ModelWithAnotherDefaultManager:
    """Stands in for a model whose first manager filters rows (``active = ActiveManager()``)."""

    _default_manager = _Manager("active")


def test_a_registered_model_whose_default_manager_is_not_objects_is_refused(monkeypatch):
    # The rules reach registered rows through ``_default_manager``: a filtering default manager
    # would hide rows from the rules that the owning app's ``objects`` shows.
    anchor = next(kind for kind in registry.all_kinds() if kind.is_anchor)
    odd = replace(anchor, model=_ModelWithAnotherDefaultManager)
    monkeypatch.setattr(registry, "all_kinds", lambda: [odd])
    monkeypatch.setattr(registry.Kind, "label", property(lambda kind: "tests.odd"))

    assert _ids(checks.registrations_fit()) == ["access.E003"]


def test_objects_is_every_registered_models_default_manager():
    for kind in registry.all_kinds():
        assert isinstance(kind.model._default_manager, models.Manager)
        assert kind.model._default_manager.name == "objects", kind.label
