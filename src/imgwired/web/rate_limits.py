"""Rate limits at the HTTP face: whom a request counts against, and the ``RateLimit`` headers.

The headers follow draft-ietf-httpapi-ratelimit-headers-10: ``RateLimit-Policy`` names each
policy that applied with its quota (``q``, the burst) and window (``w``, the seconds an empty
bucket takes to fill); ``RateLimit`` gives what is left (``r``) and ``t``, the seconds until the
next request is admitted when nothing is left, else until the bucket is full again. A 429
carries them and ``Retry-After``; an admitted request carries them too, so a client can slow
down before it is refused.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imgwired.errors import RateLimitExceededError
from imgwired.ratelimits.service import Admission, RateLimiter

_STATE = "rate_limits"


def client_of(scope: Scope, limiter: RateLimiter) -> str:
    """The client address the request counts against: the peer, or behind a trusted proxy the
    address ``X-Forwarded-For`` names."""
    peer = scope.get("client")
    forwarded = [
        value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"
    ]
    return limiter.client_of(peer[0] if peer else None, forwarded)


def remember(scope: Scope, admissions: Iterable[Admission | None]) -> None:
    """Keep what the policies admitted, for the headers of the response."""
    kept = scope.setdefault("state", {}).setdefault(_STATE, [])
    kept.extend(admission for admission in admissions if admission is not None)


def refusal_headers(error: RateLimitExceededError) -> dict[str, str]:
    return {
        "Retry-After": str(error.retry_after),
        "RateLimit-Policy": _policy(error.policy, error.quota, error.window),
        "RateLimit": f'"{error.policy}";r=0;t={error.retry_after}',
    }


def admission_headers(admissions: list[Admission]) -> dict[str, str]:
    policies = [_policy(a.policy, a.limit.burst, a.limit.window) for a in admissions]
    states = [
        f'"{a.policy}";r={a.verdict.remaining};t={math.ceil(a.verdict.full_after)}'
        for a in admissions
    ]
    return {"RateLimit-Policy": ", ".join(policies), "RateLimit": ", ".join(states)}


def _policy(name: str, quota: int, window: int) -> str:
    return f'"{name}";q={quota};w={window}'


class RateLimitHeadersMiddleware:
    """Adds the ``RateLimit`` headers of the policies that admitted a request to its response
    (a 429 brings its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                admissions = scope.get("state", {}).get(_STATE)
                headers = MutableHeaders(scope=message)
                if admissions and "ratelimit" not in headers:
                    for name, value in admission_headers(admissions).items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_limits)
