"""A sync httpx transport that sends requests to an ASGI app in this process.

httpx's ``ASGITransport`` is async only. ``PortalTransport`` runs it on an anyio blocking
portal's event loop (a thread), so the sync ``ImgwireClient`` talks to the real app, middleware
and all, without a socket. The request body is read whole first: this is for tests, where
bodies are small; streaming is exercised over a real socket.
"""

from __future__ import annotations

import httpx
from anyio.from_thread import BlockingPortal
from starlette.types import ASGIApp


class PortalTransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp, portal: BlockingPortal) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"transfer-encoding"]
        forwarded = httpx.Request(request.method, request.url, headers=headers, content=body)
        status, response_headers, content = self._portal.call(self._forward, forwarded)
        return httpx.Response(status, headers=response_headers, content=content, request=request)

    async def _forward(self, request: httpx.Request) -> tuple[int, httpx.Headers, bytes]:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers, content

    def close(self) -> None:
        self._portal.call(self._asgi.aclose)
