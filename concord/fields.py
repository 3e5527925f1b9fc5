"""Identifying fields encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from settings.FIELD_ENCRYPTION_KEYS (environment): the first key encrypts, every key
decrypts, so a key is rotated by putting a new one first and running `manage.py rotate_field_keys`.
A value that no key can decrypt raises `DecryptionFailed` loudly: it never passes as empty.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


class DecryptionFailed(RuntimeError):
    """No configured key decrypts a stored value (wrong or missing key)."""


def _fernet_key(raw: str) -> bytes:
    """Accept a Fernet key, or derive one (SHA-256) from any other secret string."""
    try:
        decoded = base64.urlsafe_b64decode(raw.encode())
    except (ValueError, TypeError):
        decoded = b""  # not base64 at all: a passphrase, derived below
    if len(decoded) == 32:
        return raw.encode()
    return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest())


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def cipher() -> MultiFernet:
    return _multifernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_str(value: str) -> str:
    return PREFIX + cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_str(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionFailed("stored value is not an encrypted token")
    try:
        return cipher().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionFailed("no configured key decrypts this value") from exc


def rotate_str(stored: str) -> str:
    """Re-encrypt a stored token with the first key."""
    try:
        return PREFIX + cipher().rotate(stored[len(PREFIX) :].encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionFailed("no configured key decrypts this value") from exc


class EncryptedTextField(models.TextField):
    """A text value stored as a Fernet token. Empty stays empty; never filterable by content."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_str(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return decrypt_str(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None  # every other lookup would compare random ciphertexts: refuse it
        return super().get_lookup(lookup_name)
