"""Zip archives (DOCX, XLSX and every other zip-based format) checked before they are accepted.

A 400 KB file can inflate to 400 MiB or more, and whatever opens it later (a member of staff's
word processor, the virus scanner, a text extractor) pays for that. So the central directory is
read first (how many entries, how large each says it is, how tightly each is compressed) and then
every entry is actually inflated, a chunk at a time, counting bytes and stopping at the limit: the
sizes an archive declares are written by whoever made it and are not believed.

Limits come from settings (``CASEWORK_ARCHIVE_MAX_INFLATED_BYTES``, ``_MAX_ENTRIES``,
``_MAX_RATIO``); the compression ratio is judged only for entries that inflate past
``RATIO_FLOOR_BYTES``, since tiny parts of any document compress tightly.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings

from casework.core.refusals import Refused

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
RATIO_FLOOR_BYTES = 1024 * 1024
CHUNK = 64 * 1024


class ArchiveRefused(Refused):
    """The archive is refused; the message is written for the person uploading it."""


@dataclass(frozen=True)
class Limits:
    max_inflated_bytes: int
    max_entries: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_inflated_bytes=int(settings.CASEWORK_ARCHIVE_MAX_INFLATED_BYTES),
            max_entries=int(settings.CASEWORK_ARCHIVE_MAX_ENTRIES),
            max_ratio=int(settings.CASEWORK_ARCHIVE_MAX_RATIO),
        )


def is_zip(content: bytes) -> bool:
    return content[:4] in ZIP_SIGNATURES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def too_large(limits: Limits) -> ArchiveRefused:
    return ArchiveRefused(
        f"The selected file is too large when opened: it must expand to less than "
        f"{_megabytes(limits.max_inflated_bytes)}"
    )


def too_tight(limits: Limits) -> ArchiveRefused:
    return ArchiveRefused(
        f"The selected file is compressed more than {limits.max_ratio} times over, which ordinary "
        "documents are not. Save it again from the program that made it and upload the new copy"
    )


UNREADABLE = ArchiveRefused(
    "The selected file is damaged or password-protected, so it cannot be checked. "
    "Save it again without a password and upload the new copy"
)


def check_zip(content: bytes, limits: Limits | None = None) -> None:
    """Refuse (``ArchiveRefused``) a zip archive past the limits. Content that does not open as a
    zip archive is left to the type check, which refuses it for what it is."""
    limits = limits or Limits.from_settings()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise ArchiveRefused(f"The selected file has too many parts: it must have {limits.max_entries:,} or fewer")
        if sum(entry.file_size for entry in entries) > limits.max_inflated_bytes:
            raise too_large(limits)
        total = 0
        for entry in entries:
            if entry.flag_bits & 0x1:
                raise UNREADABLE
            _check_ratio(entry.file_size, entry.compress_size, limits)
            total = _inflate(archive, entry, total, limits)


def _check_ratio(inflated: int, compressed: int, limits: Limits) -> None:
    if inflated > RATIO_FLOOR_BYTES and inflated > limits.max_ratio * max(compressed, 1):
        raise too_tight(limits)


def _inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, total: int, limits: Limits) -> int:
    """Inflate one entry, counting; the running total across entries comes back."""
    inflated = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(CHUNK):
                inflated += len(chunk)
                if total + inflated > limits.max_inflated_bytes:
                    raise too_large(limits)
                _check_ratio(inflated, entry.compress_size, limits)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        raise UNREADABLE from error
    return total + inflated
