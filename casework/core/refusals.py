"""One kind of refusal, and one way to show it on a form.

A service that refuses an action raises ``Refused`` (or a subclass naming its part of the
domain: ``CaseRefused``, ``TriageRefused``, ``DocumentRefused`` …) with a message written for the
person who asked and, when it belongs to one field, that field's name. A view shows it with
``show_refusal(form, refusal)``, which puts the message by the field (or above the form) so the
NHS error summary lists it and the form keeps what was typed. Django's ``ValidationError`` (which
a service raises when a model refuses itself) is shown the same way, field by field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Refused(ValueError):
    """An action the rules refuse. ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def show_refusal(form, refusal: Refused | ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Put a refusal on ``form``: by its field when the form has that field, otherwise above the
    form. ``field_map`` renames a service's field names to the form's."""
    field_map = field_map or {}

    def place(name: str | None, messages) -> None:
        name = field_map.get(name, name) if name else None
        form.add_error(name if name in form.fields else None, messages)

    if isinstance(refusal, Refused):
        place(refusal.field, refusal.message)
    elif hasattr(refusal, "error_dict"):
        for name, messages in refusal.message_dict.items():
            place(None if name == "__all__" else name, messages)
    else:
        form.add_error(None, refusal.messages)
