"""URL converters. ``<id:pk>`` is a record's numeric id: 1 to 18 digits, so that a number too big
for the database's 64-bit integer columns is simply not found (404) instead of an overflow (500)."""

from __future__ import annotations

from django.urls import register_converter


class RecordIdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(RecordIdConverter, "id")
