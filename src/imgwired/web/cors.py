"""The CORS layer: every request is put in an endpoint class by its route, never by its caller
(the table in ``paths.py``), and every response of a browser-facing class leaves with its CORS
headers, errors included.

Preflights are answered here, by the policy of the environment the URL names (an upload URL, an
image id, an upload token) or else of whichever environment allows the origin. Actual client
requests are decided once the caller's environment is known (``web/deps.py``), which stores the
decision in ``scope["state"]["cors"]``; responses that leave before that (401, 413, 500) get the
decision of whichever environment allows them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imgwired.cors.decision import Decision, Preflight
from imgwired.cors.locator import EnvironmentLocator
from imgwired.cors.origins import Origin, parse_origin
from imgwired.cors.runtime import CorsRuntime
from imgwired.paths import Endpoint, EndpointClass, classify, image_id_of
from imgwired.web.errors import error_body, request_id_of

_MAX_CACHED_ORIGINS = 4096
_PUBLIC_HEADERS = (
    (b"access-control-allow-origin", b"*"),
    (b"timing-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Content-Length, X-Request-Id"),
)


@dataclass(slots=True)
class CorsContext:
    """What the CORS layer knows about one client-class request, shared with the route."""

    endpoint: Endpoint
    origin_header: str | None
    origin: Origin | None
    decision: Decision | None = None


class CorsMiddleware:
    def __init__(
        self, app: ASGIApp, *, runtime: CorsRuntime, locator: EnvironmentLocator | None = None
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.locator = locator
        # Browsers send the same few Origin values over and over; parsing is the costly part.
        self._parsed: dict[bytes, Origin | None] = {}

    def _parse_origin(self, origins: list[bytes]) -> Origin | None:
        if len(origins) != 1:
            return parse_origin(origins)
        value = origins[0]
        try:
            return self._parsed[value]
        except KeyError:
            pass
        if len(self._parsed) >= _MAX_CACHED_ORIGINS:
            self._parsed.clear()
        parsed = self._parsed[value] = parse_origin(origins)
        return parsed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origins: list[bytes] = []
        request_method: bytes | None = None
        request_headers: list[bytes] = []
        private_network = False
        for name, value in scope["headers"]:
            if name == b"origin":
                origins.append(value)
            elif name == b"access-control-request-method":
                request_method = value
            elif name == b"access-control-request-headers":
                request_headers.append(value)
            elif name == b"access-control-request-private-network":
                private_network = value == b"true"

        if scope["method"] == "OPTIONS" and origins and request_method is not None:
            preflight = Preflight(
                self._parse_origin(origins),
                request_method.decode("latin-1"),
                request_headers,
                private_network,
            )
            await self._preflight(scope, send, origins, preflight)
            return

        endpoint = classify(scope["path"], scope["method"])
        if endpoint.kind is EndpointClass.SERVER_ONLY:
            await self.app(scope, receive, send)
        elif endpoint.kind is EndpointClass.PUBLIC:
            await self.app(scope, receive, _adding(send, _PUBLIC_HEADERS))
        else:
            context = CorsContext(
                endpoint,
                _origin_text(origins) if origins else None,
                self._parse_origin(origins) if origins else None,
            )
            if endpoint.kind is EndpointClass.UPLOAD and context.origin_header is not None:
                # The URL names the environment and carries no key: decide here, before the body.
                decision = self.runtime.actual_for(endpoint.environment_id, context.origin)
                context.decision = decision
                origin = context.origin_header
                if self.runtime.enforce(endpoint.environment_id, endpoint.name, origin, decision):
                    await _refuse_request(scope, send, context.origin_header)
                    return
            scope.setdefault("state", {})["cors"] = context
            await self.app(scope, receive, self._client_send(send, context))

    def _client_send(self, send: Send, context: CorsContext) -> Send:
        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Origin")
                if context.origin_header is not None:
                    decision = context.decision or self.runtime.actual_for(
                        context.endpoint.environment_id, context.origin
                    )
                    for name, value in decision.headers:
                        headers.append(name.decode("latin-1"), value.decode("latin-1"))
            await send(message)

        return send_with_cors

    async def _preflight(
        self, scope: Scope, send: Send, origins: list[bytes], preflight: Preflight
    ) -> None:
        endpoint = classify(scope["path"], preflight.method)
        if endpoint.kind is EndpointClass.SERVER_ONLY:
            reason = "endpoint_not_cors_enabled"
            detail = "This endpoint is for server keys only; browsers cannot call it"
            await _refuse_preflight(scope, send, reason, detail, b"Origin")
            return
        if endpoint.kind is EndpointClass.PUBLIC:
            await _respond(scope, send, 204, _public_preflight_headers(preflight), b"")
            return
        if endpoint.environment_id is None and self.locator is not None:
            endpoint = await self._locate(scope, endpoint)
        decision = self.runtime.preflight_for(endpoint.environment_id, preflight)
        refused = self.runtime.enforce(
            endpoint.environment_id, endpoint.name, _origin_text(origins), decision
        )
        vary = _preflight_vary(self.runtime, endpoint)
        if not refused:
            await _respond(scope, send, 204, [*decision.headers, (b"vary", vary)], b"")
            return
        await _refuse_preflight(scope, send, decision.reason, _explain(decision.reason), vary)

    async def _locate(self, scope: Scope, endpoint: Endpoint) -> Endpoint:
        """The endpoint with the environment its URL names, where the URL names a resource.

        Unknown resources keep the fallback (any environment that allows the origin): the
        request itself will fail on its own terms, and a preflight should not reveal which
        ids exist.
        """
        locator = self.locator
        assert locator is not None
        environment_id = None
        if endpoint.name == "get_image":
            image_id = image_id_of(scope["path"])
            if image_id is not None:
                environment_id = locator.remembered_image(image_id) or await run_in_threadpool(
                    locator.of_image, image_id
                )
        elif endpoint.name == "standard_upload":
            token = QueryParams(scope.get("query_string", b"")).get("upload_token")
            if token:
                environment_id = locator.remembered_upload_token(token) or (
                    await run_in_threadpool(locator.of_upload_token, token)
                )
        if environment_id is None or self.runtime.environment(environment_id) is None:
            return endpoint
        return Endpoint(endpoint.kind, endpoint.name, environment_id)


def _preflight_vary(runtime: CorsRuntime, endpoint: Endpoint) -> bytes:
    cors = runtime.environment(endpoint.environment_id) if endpoint.environment_id else None
    if cors is not None:
        return cors.preflight_vary
    return b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def _explain(reason: str) -> str:
    if reason == "origin_not_allowed":
        return "This origin is not in the environment's CORS origins"
    if reason == "method_not_allowed":
        return "The requested method is not in the environment's CORS policy allowed_methods"
    if reason.startswith("header_not_allowed:"):
        name = reason.partition(":")[2]
        return f"The request header {name!r} is not in the CORS policy allowed_headers"
    if reason == "request_headers_too_long":
        return "Access-Control-Request-Headers is too long"
    return "The CORS policy does not allow access to the private network"


async def _refuse_preflight(
    scope: Scope, send: Send, reason: str, detail: str, vary: bytes
) -> None:
    detail = f"CORS preflight refused ({reason}): {detail}"
    body = json.dumps(error_body(detail, "CorsPreflightRejectedError", request_id_of(scope)))
    headers = [
        (b"x-cors-error", reason.encode("latin-1")),
        (b"vary", vary),
        (b"content-type", b"application/json"),
    ]
    await _respond(scope, send, 403, headers, body.encode())


async def _refuse_request(scope: Scope, send: Send, origin: str) -> None:
    detail = f"The origin {origin[:256]!r} is not allowed to upload to this environment"
    body = json.dumps(error_body(detail, "CorsOriginNotAllowedError", request_id_of(scope)))
    headers = [
        (b"x-cors-error", b"origin_not_allowed"),
        (b"vary", b"Origin"),
        (b"content-type", b"application/json"),
    ]
    await _respond(scope, send, 403, headers, body.encode())


def _public_preflight_headers(preflight: Preflight) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-methods", b"GET, HEAD"),
        (b"access-control-max-age", b"86400"),
    ]
    requested = b", ".join(v.strip() for v in preflight.request_headers if v.strip())
    if requested and len(requested) <= 4096:
        headers.append((b"access-control-allow-headers", requested))
    return headers


async def _respond(
    scope: Scope, send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    raw = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _adding(send: Send, extra: tuple[tuple[bytes, bytes], ...]) -> Send:
    async def send_adding(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *extra]
        await send(message)

    return send_adding


def _origin_text(origins: list[bytes]) -> str:
    """The Origin header(s) as sent, for reports (several lines joined, as no browser would)."""
    return ", ".join(value[:2048].decode("latin-1") for value in origins)[:2048]
