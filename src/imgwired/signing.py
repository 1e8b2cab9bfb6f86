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
    """'' for a valid, unexpired signature; otherwise why not: 'invalid' or 'expired'.

    Any text is accepted as ``signature`` (it comes straight from a query string): one that is
    not the expected ASCII hex, non-ASCII included, is simply 'invalid'.
    """
    expected = sign(secret, *parts, expires=expires).encode("ascii")
    # compare_digest refuses non-ASCII str, so compare bytes; errors="replace" keeps lone
    # surrogates from raising, and no replaced byte can match a hex digit.
    offered = signature.encode("utf-8", errors="replace")
    if not hmac.compare_digest(expected, offered):
        return "invalid"
    if (time.time() if now is None else now) > expires:
        return "expired"
    return ""
