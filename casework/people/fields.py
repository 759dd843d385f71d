"""Model fields that keep their values encrypted in the database.

``EncryptedTextField`` holds plaintext in Python and a Fernet token in the column. Tokens are
randomised, so the database cannot compare them: the only lookups allowed are ``isnull`` and
equality with the empty string ("has no value"). Exact look-ups by value go through a blind index
column beside the field (``casework.people.crypto.blind_index``).
"""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from casework.people import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        return {"isnull": IsNull, "exact": EmptyOnlyExact}.get(lookup_name)

    def get_transform(self, lookup_name):
        return None


class EmptyOnlyExact(Exact):
    """``field=""`` works (no value recorded); comparing with any other value would silently never
    match a randomised token, so it is refused loudly instead."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted and cannot be compared by value; use its blind index"
            )
        return super().get_prep_lookup()
