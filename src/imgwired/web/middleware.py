"""ASGI middleware that every request passes, one concern each: request ids, the error boundary,
size limits and the encoding of JSON bodies.

Order, outermost first: ``RequestIdMiddleware`` -> (the access log) -> (the CORS layer) ->
``ErrorBoundaryMiddleware``
-> ``RequestLimitsMiddleware`` -> ``Utf8JsonMiddleware`` -> routes. The boundary and the limits
sit inside the CORS layer so that a 500, 413 or 431 they render still passes through it and gets
its CORS headers; the encoding check sits inside the limits, so it only ever reads a body the
size limit let through.
"""

from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imgwired.errors import HeadersTooLargeError, ImgwiredError, PayloadTooLargeError
from imgwired.logs import request_context
from imgwired.web.errors import (
    NOT_UTF8,
    domain_error_response,
    internal_error_response,
    request_id_of,
    validation_error_response,
)

log = logging.getLogger("imgwired.web")

# An incoming id is kept when it is short and plain, so a caller can correlate its own logs.
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Gives every request an id, puts it on every response as ``X-Request-Id`` and on every
    record logged while the request is handled."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        with request_context(request_id):
            await self.app(scope, receive, send_with_id)


class ErrorBoundaryMiddleware:
    """Turns anything unhandled into the JSON 500 of the error shape, and logs it; nothing else.

    Domain errors of the routes are answered by the handlers of ``web/errors.py``; this is the
    last resort for everything else, including failures in the middleware inside it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_watched)
        except Exception:
            log.exception("unhandled error (request id %s)", request_id_of(scope))
            if started:
                raise  # too late for a 500: the server closes the connection
            await internal_error_response(request_id_of(scope))(scope, receive, send)


class RequestLimitsMiddleware:
    """Refuses oversized headers (431) and bodies (413) before the app has read too much.

    A body over the limit is answered with 413 at once; the app then sees a disconnect, and
    whatever it tries to send or raise afterwards is dropped.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_header_bytes: int,
        max_total_header_bytes: int,
        max_body_bytes: int,
        streaming_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.max_total_header_bytes = max_total_header_bytes
        self.max_body_bytes = max_body_bytes
        # Routes under these prefixes stream large bodies and enforce their own limits.
        self.streaming_prefixes = streaming_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(scope, receive, send)
        try:
            self._check_headers(scope)
            streaming = scope["path"].startswith(self.streaming_prefixes)
            exchange.body_limit = None if streaming else self.max_body_bytes
            exchange.check_declared_length()
        except ImgwiredError as exc:
            await exchange.fail(exc)
            return
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except Exception:
            if not exchange.responded:
                raise
            # The 413 is already out; the app failed only on the disconnect it was handed.

    def _check_headers(self, scope: Scope) -> None:
        total = 0
        for name, value in scope["headers"]:
            size = len(name) + len(value)
            if size > self.max_header_bytes:
                raise HeadersTooLargeError(
                    f"The {name.decode('latin-1')[:64]} header is larger than "
                    f"{self.max_header_bytes} bytes"
                )
            total += size
        if total > self.max_total_header_bytes:
            raise HeadersTooLargeError(
                f"The request headers are larger than {self.max_total_header_bytes} bytes in total"
            )


class Utf8JsonMiddleware:
    """Answers 422 to a JSON body that is not UTF-8, before any route reads it.

    JSON between systems must be UTF-8 (RFC 8259). Left alone, FastAPI answers a bare 400 to
    bytes that do not decode, and Python's ``json`` reads UTF-16 and UTF-32 by guessing from
    NUL bytes; a NUL byte can never be part of JSON text, so refusing it closes that guess.
    A UTF-8 byte order mark is tolerated. Bodies are bounded by the error boundary outside.
    """

    def __init__(self, app: ASGIApp, *, streaming_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        # Routes under these prefixes stream raw bytes: their bodies are never JSON to us.
        self.streaming_prefixes = streaming_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"].startswith(self.streaming_prefixes)
            or not _declares_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        body, disconnected = await _read_body(receive)
        if not disconnected and not _is_utf8_json_text(body):
            response = validation_error_response([NOT_UTF8], request_id_of(scope))
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            if disconnected:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _declares_json(scope: Scope) -> bool:
    """Whether the request says its body is JSON, by the rule FastAPI parses bodies with."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: bytes = value.split(b";")[0].strip().lower()
            return media_type == b"application/json" or (
                media_type.startswith(b"application/") and media_type.endswith(b"+json")
            )
    return False


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body, and whether the client went away before sending all of it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _is_utf8_json_text(body: bytes) -> bool:
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _Exchange:
    """One request's ``receive`` and ``send``, able to answer with a 413 or 431 at any point."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.body_limit: int | None = None
        self.started = False
        self.responded = False
        self._seen = 0

    def check_declared_length(self) -> None:
        limit = self.body_limit
        if limit is None:
            return
        for name, value in self.scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                raise PayloadTooLargeError(f"The request body is larger than {limit} bytes")

    async def receive(self) -> Message:
        if self.responded:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request" and self.body_limit is not None:
            self._seen += len(message.get("body", b""))
            if self._seen > self.body_limit:
                await self.fail(
                    PayloadTooLargeError(f"The request body is larger than {self.body_limit} bytes")
                )
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.responded:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    async def fail(self, error: ImgwiredError) -> None:
        """Answer with ``error`` unless a response is already on its way."""
        if self.responded:
            return
        if self.started:
            raise RuntimeError("the response had started when the request failed")
        response = domain_error_response(error, request_id_of(self.scope))
        self.responded = True
        await response(self.scope, self._receive, self._send)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTABLE_REQUEST_ID.fullmatch(text) else None
    return None
