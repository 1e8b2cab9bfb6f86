"""ASGI middleware that every request passes: request ids, size limits, the error boundary and
the encoding of JSON bodies.

Order, outermost first: ``RequestIdMiddleware`` -> (the CORS layer) -> ``ErrorBoundaryMiddleware``
-> ``Utf8JsonMiddleware`` -> routes. The boundary sits inside the CORS layer so that a 413, 431 or
500 it renders still passes through it and gets its CORS headers; the encoding check sits inside
the boundary, so it only ever reads a body the boundary's size limit let through.
"""

from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imgwired.errors import HeadersTooLargeError, ImgwiredError, PayloadTooLargeError
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
    """Gives every request an id and puts it on every response as ``X-Request-Id``."""

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

        await self.app(scope, receive, send_with_id)


class ErrorBoundaryMiddleware:
    """Refuses oversized headers and bodies, and turns anything unhandled into a JSON 500."""

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
            await self.app(scope, exchange.receive, exchange.send)
        except ImgwiredError as exc:
            await exchange.fail(exc)
        except Exception:
            if not exchange.responded:
                log.exception("unhandled error (request id %s)", request_id_of(scope))
            await exchange.fail(None)

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
    """One request's ``receive`` and ``send``, able to answer with an error at any point.

    A body over the limit is answered with 413 at once; the app then sees a disconnect, and
    whatever it tries to send afterwards is dropped.
    """

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

    async def fail(self, error: ImgwiredError | None) -> None:
        """Answer with ``error`` (None: a 500) unless a response is already on its way."""
        if self.responded:
            return
        if self.started:
            raise RuntimeError("the response had started when the request failed")
        request_id = request_id_of(self.scope)
        response = (
            internal_error_response(request_id)
            if error is None
            else domain_error_response(error, request_id)
        )
        self.responded = True
        await response(self.scope, self._receive, self._send)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTABLE_REQUEST_ID.fullmatch(text) else None
    return None
