"""Encryption of contact details at rest, and keyed blind indexes for exact look-ups.

Keys come from settings (``CASEWORK_FIELD_ENCRYPTION_KEYS``, newest first, and
``CASEWORK_BLIND_INDEX_KEY``), which read them from the environment: never from the database.
See docs/adr/0006-field-encryption.md.

- ``encrypt`` / ``decrypt``: Fernet tokens (AES-128-CBC with HMAC-SHA256, from ``cryptography``)
  through ``MultiFernet``: the newest key encrypts, every listed key decrypts.
- ``is_current(token)``: whether the token is already under the newest key (tried alone), so
  ``rotate_keys`` can skip it and be re-run safely.
- ``blind_index(kind, value)``: HMAC-SHA256 of ``kind:value`` under the blind-index key. The
  caller passes an already-normalised value (``identifiers.normalise_*``); ``kind`` separates
  the domains so an NHS number and a phone number with the same digits never collide. Every
  write uses it.
- ``blind_indexes(kind, value)``: what a look-up searches for. While the blind-index key is
  being changed (``BLIND_INDEX_PREVIOUS_KEY`` set, ``rotate_keys --reindex`` running), a row
  holds the index under either key, so look-ups search for both and keep finding everyone.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.CASEWORK_FIELD_ENCRYPTION_KEYS or ())
    if not keys:
        raise ImproperlyConfigured("CASEWORK_FIELD_ENCRYPTION_KEYS must list at least one Fernet key")
    return keys


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    try:
        fernets = [Fernet(key.encode() if isinstance(key, str) else key) for key in keys]
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured("A field encryption key is not a valid Fernet key") from error
    return MultiFernet(fernets), fernets[0]


def _multi() -> MultiFernet:
    return _fernets(_keys())[0]


def _newest() -> Fernet:
    return _fernets(_keys())[1]


def encrypt(plaintext: str) -> str:
    return _multi().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _multi().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as error:
        # Never include the token or any plaintext: this may reach a log.
        raise DecryptionError("A stored value could not be decrypted with the configured keys") from error


def is_current(token: str) -> bool:
    """True if the newest key alone decrypts the token (nothing for rotation to do)."""
    try:
        _newest().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def rotate(token: str) -> str:
    """The same plaintext under the newest key (MultiFernet.rotate)."""
    try:
        return _multi().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionError("A stored value could not be decrypted with the configured keys") from error


def _hmac(key: str, kind: str, normalised: str) -> str:
    return hmac.new(key.encode("utf-8"), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def blind_index(kind: str, normalised: str) -> str:
    """The keyed index of an already-normalised value under the current key; "" for an empty
    value (never indexed)."""
    if not normalised:
        return ""
    key = settings.CASEWORK_BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("CASEWORK_BLIND_INDEX_KEY must be set")
    return _hmac(key, kind, normalised)


def blind_indexes(kind: str, normalised: str) -> list[str]:
    """Every index a stored row may hold for this value: under the current key and, during a
    blind-index rebuild, under the previous one. Look-ups filter with ``__in`` on this."""
    current = blind_index(kind, normalised)
    if not current:
        return []
    previous = getattr(settings, "CASEWORK_BLIND_INDEX_PREVIOUS_KEY", None)
    return [current, _hmac(previous, kind, normalised)] if previous else [current]
