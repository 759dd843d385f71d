"""How long free text may be: one definition per field, read by the form, the import and the service.

The definition is the model field's ``max_length`` (``TextField`` too: Django does not enforce it
there, so this module does). ``docs/input-limits.md`` lists every field with its maximum, and a
test keeps the list and the models in step.

- Forms read it: ``limit(Model, "field")`` gives the number a form field's ``max_length`` is set
  to, and ``NHSForm`` gives any text field that has none the default for its widget, so that no
  form accepts megabytes.
- Imports read it the same way (``casework/cases/incident_table.py``).
- Services apply it: ``check_text_limits(instance)`` raises ``ValidationError`` naming the field,
  and runs before every save of a model of this project (a ``pre_save`` receiver, connected in
  ``CoreConfig.ready``) and explicitly where a service writes with ``bulk_create``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

# Defaults for a form field that names no model field.
SHORT_TEXT = 200
LONG_TEXT = 10_000


def limit(model: type[models.Model], field_name: str) -> int:
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.Field), f"{model.__name__}.{field_name} is a relation, not a field"
    max_length = field.max_length
    if not max_length:
        raise LookupError(f"{model.__name__}.{field_name} has no max_length: give it one (docs/input-limits.md)")
    return max_length


def too_long_message(label: str, max_length: int) -> str:
    return f"{label} must be {max_length:,} characters or fewer"


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]


def check_text_limits(instance: models.Model) -> None:
    """Refuse a value longer than its field's maximum (``ValidationError`` keyed by field name)."""
    errors = {}
    for field in text_fields(type(instance)):
        value = getattr(instance, field.attname, None)
        if field.max_length and isinstance(value, str) and len(value) > field.max_length:
            label = str(field.verbose_name)
            errors[field.name] = [too_long_message(label[:1].upper() + label[1:], field.max_length)]
    if errors:
        raise ValidationError(errors)


def enforce_on_save(sender, instance, raw: bool = False, **kwargs) -> None:
    """``pre_save`` receiver for the project's own models (fixtures loaded raw are left alone)."""
    if not raw and sender.__module__.startswith("casework."):
        check_text_limits(instance)
