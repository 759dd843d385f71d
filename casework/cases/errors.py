"""Refusals the case services raise; each message is written for the person who asked."""

from __future__ import annotations

from casework.core.refusals import Refused


class CaseRefused(Refused):
    """An action on a case the rules refuse (``casework.core.refusals``)."""


class BarrierConflict(CaseRefused):
    """A change that would put one member of staff on both sides of an information barrier."""


class NoteFixed(CaseRefused):
    """A change to a case note after its grace period, or to an addendum (both are fixed: a
    correction is a new addendum)."""
