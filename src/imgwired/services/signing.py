"""Signed, expiring URLs: an HMAC over what the URL grants, with a secret every process shares."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time


def new_signing_secret() -> str:
    return secrets.token_hex(32)


def sign(secret: str, *parts: str, expires: int) -> str:
    message = "\n".join([*parts, str(expires)]).encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def verify(secret: str, *parts: str, expires: int, signature: str, now: float | None = None) -> str:
    """'' for a valid, unexpired signature; otherwise why not: 'invalid' or 'expired'."""
    expected = sign(secret, *parts, expires=expires)
    if not hmac.compare_digest(expected, signature):
        return "invalid"
    if (time.time() if now is None else now) > expires:
        return "expired"
    return ""
