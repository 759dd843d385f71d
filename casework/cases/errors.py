"""Refusals the case services raise; each message is written for the person who asked."""

from __future__ import annotations


class CaseRefused(ValueError):
    """An action the rules refuse. ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BarrierConflict(CaseRefused):
    """A change that would put one member of staff on both sides of an information barrier."""
