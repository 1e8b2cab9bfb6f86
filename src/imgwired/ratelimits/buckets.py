"""Token buckets: the rule, and the interface every place that keeps them implements.

A bucket holds up to ``burst`` tokens and gains ``per_second`` of them every second; a request
takes one, and is refused when less than one is left. A bucket nobody has used is full, so a
store may forget any bucket once it would have refilled.

``MemoryBuckets`` keeps them for one process; ``redis_buckets.RedisBuckets`` for every process
sharing a Redis server. Both pass ``tests/ratelimits/test_buckets.py``.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Protocol

# Buckets kept in memory before full ones are forgotten (a full bucket is as good as none).
_MAX_MEMORY_BUCKETS = 100_000


@dataclass(frozen=True, slots=True)
class Limit:
    """``burst`` requests at once, then ``per_second`` sustained; a rate of 0 is no limit."""

    per_second: float
    burst: int

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    @property
    def window(self) -> int:
        """Whole seconds an empty bucket takes to fill: the window the quota ``burst`` covers."""
        return max(1, math.ceil(self.burst / self.per_second))


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of taking a token, and what the bucket then holds."""

    admitted: bool
    # Whole tokens left after this request.
    remaining: int
    # Seconds until a token is there again (0 when this request was admitted).
    retry_after: float
    # Seconds until the bucket is full again.
    full_after: float


def verdict(admitted: bool, tokens: float, limit: Limit) -> Verdict:
    """The verdict for a bucket left holding ``tokens`` after a request was (not) admitted."""
    tokens = max(0.0, min(float(limit.burst), tokens))
    retry_after = 0.0 if admitted else (1.0 - tokens) / limit.per_second
    return Verdict(admitted, int(tokens), retry_after, (limit.burst - tokens) / limit.per_second)


def take_token(
    tokens: float, updated: float, limit: Limit, now: float
) -> tuple[float, float, bool]:
    """(tokens, updated, admitted) after one request at ``now``; the Redis script is this same
    rule in Lua. A clock that went back (another process's) refills nothing, takes nothing more."""
    if now > updated:
        tokens = min(float(limit.burst), tokens + (now - updated) * limit.per_second)
        updated = now
    if tokens >= 1.0:
        return tokens - 1.0, updated, True
    return tokens, updated, False


class BucketStore(Protocol):
    """Where buckets live. ``take`` is atomic: concurrent requests never share one token."""

    def take(self, key: str, limit: Limit, now: float) -> Verdict:
        """Take a token from bucket ``key`` (new buckets are full) at ``now`` (Unix seconds)."""
        ...

    def close(self) -> None: ...


class MemoryBuckets:
    """Buckets of one process, behind one lock (a take is a few arithmetic operations)."""

    def __init__(self, *, max_buckets: int = _MAX_MEMORY_BUCKETS) -> None:
        self._lock = threading.Lock()
        # key -> (tokens, updated, moment it would be full again)
        self._buckets: dict[str, tuple[float, float, float]] = {}
        self._max_buckets = max_buckets

    def take(self, key: str, limit: Limit, now: float) -> Verdict:
        with self._lock:
            state = self._buckets.get(key)
            tokens, updated = (float(limit.burst), now) if state is None else state[:2]
            tokens, updated, admitted = take_token(tokens, updated, limit, now)
            if key not in self._buckets and len(self._buckets) >= self._max_buckets:
                self._forget_full(now)
            full_at = updated + (limit.burst - tokens) / limit.per_second
            self._buckets[key] = (tokens, updated, full_at)
        return verdict(admitted, tokens, limit)

    def _forget_full(self, now: float) -> None:
        full = [key for key, (_, _, full_at) in self._buckets.items() if full_at <= now]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self._max_buckets:
            # Every bucket is in use: forget the older half (dicts keep insertion order), which
            # at worst hands their holders a fresh burst.
            for key in list(self._buckets)[: len(self._buckets) // 2]:
                del self._buckets[key]

    def close(self) -> None:
        with self._lock:
            self._buckets.clear()
