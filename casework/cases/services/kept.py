"""Keeping each case's assessed risk (``models.KeptRisk``; docs/adr/0027-kept-case-risk.md).

Whenever an incident or an order of a case is saved or deleted, or an order's protected parties
change, the case's ``risk_version`` is raised in the same transaction (``risk_changed``), so a risk
kept before the change is no longer current and is assessed again when next read. This hangs on
Django's model signals (``connect``, from the app's ``ready``), not on each writer remembering to
call it: whoever writes — a service, a data migration, the admin shell, a test factory — the kept
risk cannot outlive the change. Writes that send no signal (``bulk_create``, ``QuerySet.update``)
must call ``risk_changed`` themselves (``services.records.incidents_import`` does); the nightly
``manage.py assess_case_risks`` assesses every case again whatever happened.

``keep`` writes assessed risks: it is called by ``queries.kept_case_risks`` for the cases it
found not current, and by the nightly command.

A kept risk is derived, holds no names and is not audited itself: the change that makes it stale
carries its own audit event, and every page that shows it is audited as it is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from casework.cases import risk
from casework.cases.models import Case, Incident, KeptRisk, LegalOrder

_UPDATED = ["assessed_on", "version", "rule", "reasons", "last_breach_on", "flagged", "assessed_at"]


def risk_changed(case: Case) -> None:
    """An incident or an order of ``case`` was added or changed: the kept risk is no longer current."""
    _raise(case.pk)


def _raise(case_id: int | None) -> None:
    if case_id is not None:
        Case.objects.filter(pk=case_id).update(risk_version=F("risk_version") + 1)


def _record_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of an ``Incident`` or a ``LegalOrder``."""
    _raise(instance.case_id)


def _protects_changed(sender, instance, action: str, **kwargs) -> None:
    """``LegalOrder.protects`` changed, from either side (an order's ``protects`` or a party's
    ``protecting_orders``): both belong to the same case."""
    if action in ("post_add", "post_remove", "post_clear"):
        _raise(instance.case_id)


def connect() -> None:
    """Raise a case's ``risk_version`` whenever its incidents or orders change (the app's ``ready``)."""
    for model in (Incident, LegalOrder):
        post_save.connect(_record_changed, sender=model, dispatch_uid=f"kept-risk-save-{model.__name__}")
        post_delete.connect(_record_changed, sender=model, dispatch_uid=f"kept-risk-delete-{model.__name__}")
    m2m_changed.connect(_protects_changed, sender=LegalOrder.protects.through, dispatch_uid="kept-risk-protects")


def keep(risks: Iterable[risk.CaseRisk], versions: dict[int, int], today: dt.date) -> None:
    """Keep ``risks``, assessed for ``today`` from data at least as new as ``versions`` (each case's
    ``risk_version``, read *before* its incidents and orders were): if a change came in between, the
    kept row carries the older version and is assessed again next time, never the other way round.
    One statement, in case order (two requests keeping the same cases cannot deadlock)."""
    now = timezone.now()
    rows = [
        KeptRisk(
            case_id=r.case_id,
            assessed_on=today,
            version=versions[r.case_id],
            rule=risk.RULE,
            reasons=list(r.reasons),
            last_breach_on=r.last_breach_on,
            flagged=r.flagged,
            assessed_at=now,
        )
        for r in sorted(risks, key=lambda r: r.case_id)
    ]
    if rows:
        KeptRisk.objects.bulk_create(rows, update_conflicts=True, unique_fields=["case"], update_fields=_UPDATED)
