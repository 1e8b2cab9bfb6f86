"""The rate limiter one process uses, as the settings describe it."""

from __future__ import annotations

from imgwired.config import Settings
from imgwired.db.engine import Database
from imgwired.ratelimits.buckets import BucketStore, Limit, MemoryBuckets
from imgwired.ratelimits.client_ip import TrustedProxies
from imgwired.ratelimits.service import Limits, RateLimiter


def default_limits(settings: Settings) -> Limits:
    return Limits(
        key=Limit(settings.rate_limit_key_per_second, settings.rate_limit_key_burst),
        ip=Limit(settings.rate_limit_ip_per_second, settings.rate_limit_ip_burst),
        render=Limit(settings.rate_limit_render_per_second, settings.rate_limit_render_burst),
    )


def bucket_store(settings: Settings) -> BucketStore:
    """Redis when ``IMGWIRED_REDIS_URL`` is set (shared by every process), else this process's
    memory. The redis package is imported only then."""
    if settings.redis_url:
        from imgwired.ratelimits.redis_buckets import RedisBuckets

        return RedisBuckets(settings.redis_url, prefix=settings.rate_limit_redis_prefix)
    return MemoryBuckets()


def rate_limiter(settings: Settings, database: Database) -> RateLimiter:
    proxies = TrustedProxies(settings.trusted_proxies)
    sign_in = Limit(settings.dashboard_sign_in_per_minute / 60, settings.dashboard_sign_in_burst)
    return RateLimiter(
        database,
        default_limits(settings),
        bucket_store(settings),
        proxies=proxies,
        sign_in=sign_in,
    )
