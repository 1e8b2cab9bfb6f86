"""``RateLimiter``: admits a request or refuses it with ``RateLimitExceededError``.

Three policies, each a token bucket per environment and subject:

- ``key``: every API-key request, per key;
- ``ip``: client-callable endpoints and upload URLs, per client address;
- ``render``: CDN requests that must render, per client address (cached deliveries are free).

And one that belongs to no environment: ``sign_in``, attempts to sign in to the dashboard, per
client address, so that the admin token cannot be guessed at speed.

An environment may set its own limits (``update``); each process reads them again at most
``cache_seconds`` later, and at once in the process that changed them.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from imgwired.db.engine import Database
from imgwired.errors import RateLimitExceededError
from imgwired.ratelimits import repository as repo
from imgwired.ratelimits.buckets import BucketStore, Limit, Verdict
from imgwired.ratelimits.client_ip import TrustedProxies

POLICIES = ("key", "ip", "render")

# Environments whose limits are kept; upload URLs name any id, so the cache must stay bounded.
_MAX_CACHED_ENVIRONMENTS = 10_000

_REFUSALS = {
    "key": "Too many requests with this API key",
    "ip": "Too many requests from this address",
    "render": "Too many new renditions requested from this address",
    "sign_in": "Too many sign-in attempts from this address",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """The limit of each policy."""

    key: Limit
    ip: Limit
    render: Limit

    def of(self, policy: str) -> Limit:
        limit: Limit = getattr(self, policy)
        return limit


@dataclass(frozen=True, slots=True)
class EnvironmentLimits:
    """The limits that apply to an environment, and which of them it set itself."""

    limits: Limits
    overridden: frozenset[str]


@dataclass(frozen=True, slots=True)
class Admission:
    """A request one policy admitted: what its ``RateLimit`` headers report."""

    policy: str
    limit: Limit
    verdict: Verdict


class RateLimiter:
    def __init__(
        self,
        database: Database,
        defaults: Limits,
        buckets: BucketStore,
        *,
        proxies: TrustedProxies | None = None,
        sign_in: Limit | None = None,
        clock: Callable[[], float] = time.time,
        cache_seconds: float = 2.0,
    ) -> None:
        self._db = database
        self._defaults = defaults
        self._sign_in = sign_in or Limit(0, 1)
        self._buckets = buckets
        self.proxies = proxies or TrustedProxies()
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._cached: dict[uuid.UUID, tuple[float, EnvironmentLimits]] = {}

    def client_of(self, peer: str | None, forwarded_for: Sequence[str]) -> str:
        """The client address a request counts against (see ``client_ip``)."""
        return self.proxies.client_of(peer, forwarded_for)

    def admit_key(self, environment_id: uuid.UUID, key_id: uuid.UUID) -> Admission | None:
        return self._admit("key", environment_id, str(key_id))

    def admit_client(self, environment_id: uuid.UUID, client: str) -> Admission | None:
        return self._admit("ip", environment_id, client)

    def admit_render(self, environment_id: uuid.UUID, client: str) -> Admission | None:
        return self._admit("render", environment_id, client)

    def admit_sign_in(self, client: str) -> Admission | None:
        """A dashboard sign-in attempt from ``client``, counted install-wide (a session is not
        made in an environment); every attempt counts, so a guess that is right is no faster."""
        return self._take("sign_in", f"sign_in:{client}", self._sign_in)

    def _admit(self, policy: str, environment_id: uuid.UUID, subject: str) -> Admission | None:
        """The admission, None when the policy is off; raises when the bucket is empty."""
        limit = self.limits(environment_id).limits.of(policy)
        return self._take(policy, f"{policy}:{environment_id}:{subject}", limit)

    def _take(self, policy: str, bucket: str, limit: Limit) -> Admission | None:
        if not limit.enabled:
            return None
        verdict = self._buckets.take(bucket, limit, self._clock())
        if not verdict.admitted:
            retry_after = max(1, math.ceil(verdict.retry_after))
            raise RateLimitExceededError(
                f"{_REFUSALS[policy]}: {limit.burst} per {limit.window} s; retry in "
                f"{retry_after} s",
                policy=policy,
                quota=limit.burst,
                window=limit.window,
                retry_after=retry_after,
            )
        return Admission(policy, limit, verdict)

    def limits(self, environment_id: uuid.UUID) -> EnvironmentLimits:
        """The limits of ``environment_id``: its own where it set them, else the defaults."""
        now = time.monotonic()
        with self._lock:
            cached = self._cached.get(environment_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        with self._db.reading() as session:
            overrides = repo.overrides_of(session, environment_id)
        found = self._apply(overrides)
        with self._lock:
            if len(self._cached) >= _MAX_CACHED_ENVIRONMENTS:
                self._cached.clear()
            self._cached[environment_id] = (now + self._cache_seconds, found)
        return found

    def update(
        self, environment_id: uuid.UUID, changes: Mapping[str, Limit | None]
    ) -> EnvironmentLimits:
        """Set an environment's own limits (``None``: back to the default); effective at once
        in this process, within ``cache_seconds`` in the others."""
        unknown = set(changes) - set(POLICIES)
        if unknown:
            raise ValueError(f"unknown rate-limit policies: {sorted(unknown)}")
        pairs = {
            policy: None if limit is None else (limit.per_second, limit.burst)
            for policy, limit in changes.items()
        }
        with self._db.transaction() as session:
            repo.save_overrides(session, environment_id, pairs)
        with self._lock:
            self._cached.pop(environment_id, None)
        return self.limits(environment_id)

    def _apply(self, overrides: Mapping[str, tuple[float, int]]) -> EnvironmentLimits:
        limits = self._defaults
        for policy, (per_second, burst) in overrides.items():
            limits = replace(limits, **{policy: Limit(per_second, burst)})
        return EnvironmentLimits(limits, frozenset(overrides))

    def close(self) -> None:
        self._buckets.close()
