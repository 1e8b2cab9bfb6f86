"""Generating and hashing the secrets that authenticate callers."""

from __future__ import annotations

import hashlib
import secrets
import string

SERVER_KEY_PREFIX = "sk_"
CLIENT_KEY_PREFIX = "ck_"
ADMIN_TOKEN_PREFIX = "adm_"  # noqa: S105 (a prefix, not a secret)

_ALPHABET = string.ascii_letters + string.digits
# 43 characters of a 62-letter alphabet carry 256 bits; double-click selects the whole key.
_SECRET_LENGTH = 43


def new_secret(prefix: str) -> str:
    """A fresh random secret with at least 256 bits of entropy after its prefix."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))


def hash_secret(secret: str) -> str:
    """The stored form of a secret. Secrets are random, so a plain SHA-256 cannot be reversed."""
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_secret(value: str) -> bool:
    """Cheap shape check before any database work: a prefix and the expected alphabet."""
    for prefix in (SERVER_KEY_PREFIX, CLIENT_KEY_PREFIX, ADMIN_TOKEN_PREFIX):
        if value.startswith(prefix):
            body = value[len(prefix) :]
            return 1 <= len(body) <= 128 and all(c in _ALPHABET for c in body)
    return False
