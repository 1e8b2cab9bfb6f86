"""The rate limiter one process uses, as the settings describe it."""

from __future__ import annotations

from imgwired.config import Settings
from imgwired.db.engine import Database
from imgwired.ratelimits.buckets import BucketStore, Limit
from imgwired.ratelimits.client_ip import TrustedProxies
from imgwired.ratelimits.service import Limits, RateLimiter


def default_limits(settings: Settings) -> Limits:
    return Limits(
        key=Limit(settings.rate_limit_key_per_second, settings.rate_limit_key_burst),
        ip=Limit(settings.rate_limit_ip_per_second, settings.rate_limit_ip_burst),
        render=Limit(settings.rate_limit_render_per_second, settings.rate_limit_render_burst),
    )


def rate_limiter(settings: Settings, database: Database, buckets: BucketStore) -> RateLimiter:
    """``buckets``: this process's memory, or Redis shared by every process (the container
    builds the one Redis client a process has)."""
    proxies = TrustedProxies(settings.trusted_proxies)
    sign_in = Limit(settings.dashboard_sign_in_per_minute / 60, settings.dashboard_sign_in_burst)
    return RateLimiter(
        database,
        default_limits(settings),
        buckets,
        proxies=proxies,
        sign_in=sign_in,
    )
