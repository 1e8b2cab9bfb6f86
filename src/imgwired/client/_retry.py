"""When a failed request is sent again, and how long to wait first.

The rule: a request is retried only when sending it twice cannot do something twice.

- ``GET``, ``HEAD``, ``OPTIONS``, ``PUT`` and ``DELETE`` (idempotent by definition), and
  ``POST`` requests that carry an ``idempotency_key`` (the server answers a repeat with the first
  result), are retried after a connection error, a timeout, or a 408, 429, 500, 502, 503 or 504
  answer. The one ``PUT`` is the upload of an image's bytes to its single-use upload URL: the
  server stores them once at most, and the upload is retried only when its bytes can be read
  again from the start (bytes, a path, a seekable file).
- Every other ``POST`` (tokens, bulk operations, creates without a key) is retried only when it
  never reached the server: the connection was refused or could not be made in time, or no
  pooled connection was free. Once the server may have seen it (it answered, or the connection
  broke while sending or waiting), the error is raised.

The wait before retry ``n`` (from 0) is ``backoff_factor * 2**n`` seconds, at most
``MAX_BACKOFF``; a ``Retry-After`` header in seconds (or an HTTP date) replaces it. A
``Retry-After`` longer than ``MAX_RETRY_AFTER`` is not waited for: the error is raised, so the
caller can schedule the work rather than block.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from datetime import UTC

import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0

# Raised before a single byte of the request left this machine.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures worth another try for a repeatable request; others (bad URL, unsupported scheme,
# too many redirects) fail the same way every time.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 2
    backoff_factor: float = 0.25

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.backoff_factor < 0:
            raise ValueError("max_retries and backoff_factor must not be negative")

    def after_error(self, error: httpx.TransportError, attempt: int, repeatable: bool) -> bool:
        """Whether to send again after retry ``attempt`` (from 0) failed without an answer."""
        if attempt >= self.max_retries:
            return False
        if isinstance(error, _NOT_SENT):
            return True
        return repeatable and isinstance(error, _TRANSIENT)

    def delay_after_error(self, attempt: int) -> float:
        return min(self.backoff_factor * 2.0**attempt, MAX_BACKOFF)

    def delay_after_status(
        self, response: httpx.Response, attempt: int, repeatable: bool
    ) -> float | None:
        """Seconds to wait before sending again after this answer, or ``None`` not to retry."""
        if attempt >= self.max_retries or not repeatable:
            return None
        if response.status_code not in RETRY_STATUSES:
            return None
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is None:
            return self.delay_after_error(attempt)
        return asked if asked <= MAX_RETRY_AFTER else None


def is_repeatable(method: str, has_idempotency_key: bool) -> bool:
    """Whether a request may be sent again after the server may have seen it."""
    return has_idempotency_key or method.upper() in IDEMPOTENT_METHODS


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date; else ``None``."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:  # an HTTP date is always GMT
            moment = moment.replace(tzinfo=UTC)
        seconds = moment.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
