"""The security headers of every dashboard response: a strict Content-Security-Policy (no
inline script or style, nothing from another origin), ``nosniff`` and ``same-origin``
referrers; and no caching of pages, which carry the session's CSRF token.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imgwired.web.dashboard.csrf import origin_of

DASHBOARD_PREFIX = "/dashboard"
STATIC_PREFIX = "/dashboard/static/"


def content_security_policy(public_url: str, cdn_base: str) -> str:
    """The dashboard's policy; images may also come from the CDN base when it is another
    origin than the server's (a CDN host of its own)."""
    images = ["'self'", "data:", "blob:"]
    cdn = origin_of(cdn_base)
    if cdn != origin_of(public_url):
        images.append(cdn)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(images)}",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


class DashboardHeadersMiddleware:
    """Adds the headers to every response under ``/dashboard``, errors included."""

    def __init__(self, app: ASGIApp, *, policy: str) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path != DASHBOARD_PREFIX and not path.startswith(DASHBOARD_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        static = path.startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
