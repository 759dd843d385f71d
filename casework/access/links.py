"""Links into the access-review pages (``views/review.py``), for the record pages of the apps above."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from casework.audit.services import object_type_of


def record_log_url(obj: models.Model | None = None, *, object_type: str = "", object_id: str | int = "") -> str:
    """The full access log of a record: pass the record, or its type ("cases.case") and id."""
    if obj is not None:
        object_type, object_id = object_type_of(obj), obj.pk
    return reverse("audit:record_log", kwargs={"object_type": object_type, "object_id": str(object_id)})


def user_log_url(user: models.Model) -> str:
    return reverse("audit:user_log", kwargs={"user_id": user.pk})
