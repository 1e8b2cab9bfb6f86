"""Sending requests with retries and turning failures into SDK errors, sync and async.

The retry rule lives in ``_retry.py``; here it is applied. A request is rebuilt for every
attempt, so a streamed body starts again from its beginning.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, Callable, Iterable
from typing import TypeVar

import anyio
import httpx

from imgwired.client._calls import Call
from imgwired.client._exceptions import (
    APIConnectionError,
    APITimeoutError,
    error_from_response,
)
from imgwired.client._options import ClientOptions
from imgwired.client._retry import is_repeatable

T = TypeVar("T")
BuildRequest = Callable[[], httpx.Request]


class SyncSender:
    """Runs calls on an ``httpx.Client``."""

    def __init__(self, http: httpx.Client, options: ClientOptions) -> None:
        self._http = http
        self._options = options

    def call(self, call: Call[T]) -> T:
        """Send ``call`` (retrying as the rule allows) and parse its answer; raises on errors."""

        def build() -> httpx.Request:
            return self._http.build_request(
                call.method,
                call.path,
                params=call.query(),
                json=call.json,
                headers=self._options.api_headers(),
            )

        response = self.send(build, repeatable=is_repeatable(call.method, call.has_idempotency_key))
        return call.parse(response)

    def put_stream(
        self,
        url: str,
        chunks: Callable[[], Iterable[bytes]],
        headers: dict[str, str],
        *,
        rereadable: bool,
    ) -> httpx.Response:
        """PUT a streamed body to an absolute URL with no API credentials (an upload URL).

        Retried like any ``PUT`` only when ``chunks`` can start again from the beginning.
        """

        def build() -> httpx.Request:
            return self._http.build_request("PUT", url, content=chunks(), headers=headers)

        return self.send(build, repeatable=rereadable and is_repeatable("PUT", False))

    def send(self, build: BuildRequest, *, repeatable: bool) -> httpx.Response:
        """The first successful answer; raises ``APIStatusError`` or ``APIConnectionError``."""
        policy = self._options.retry
        attempt = 0
        while True:
            request = build()
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                if not policy.after_error(exc, attempt, repeatable):
                    raise connection_error(exc, request) from exc
                time.sleep(policy.delay_after_error(attempt))
            else:
                if response.is_success:
                    return response
                delay = policy.delay_after_status(response, attempt, repeatable)
                if delay is None:
                    raise error_from_response(response)
                time.sleep(delay)
            attempt += 1


class AsyncSender:
    """Runs calls on an ``httpx.AsyncClient``; waits with ``anyio.sleep`` (asyncio or trio)."""

    def __init__(self, http: httpx.AsyncClient, options: ClientOptions) -> None:
        self._http = http
        self._options = options

    async def call(self, call: Call[T]) -> T:
        """Send ``call`` (retrying as the rule allows) and parse its answer; raises on errors."""

        def build() -> httpx.Request:
            return self._http.build_request(
                call.method,
                call.path,
                params=call.query(),
                json=call.json,
                headers=self._options.api_headers(),
            )

        repeatable = is_repeatable(call.method, call.has_idempotency_key)
        response = await self.send(build, repeatable=repeatable)
        return call.parse(response)

    async def put_stream(
        self,
        url: str,
        chunks: Callable[[], AsyncIterable[bytes]],
        headers: dict[str, str],
        *,
        rereadable: bool,
    ) -> httpx.Response:
        """PUT a streamed body to an absolute URL with no API credentials (an upload URL).

        Retried like any ``PUT`` only when ``chunks`` can start again from the beginning.
        """

        def build() -> httpx.Request:
            return self._http.build_request("PUT", url, content=chunks(), headers=headers)

        return await self.send(build, repeatable=rereadable and is_repeatable("PUT", False))

    async def send(self, build: BuildRequest, *, repeatable: bool) -> httpx.Response:
        """The first successful answer; raises ``APIStatusError`` or ``APIConnectionError``."""
        policy = self._options.retry
        attempt = 0
        while True:
            request = build()
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                if not policy.after_error(exc, attempt, repeatable):
                    raise connection_error(exc, request) from exc
                await anyio.sleep(policy.delay_after_error(attempt))
            else:
                if response.is_success:
                    return response
                delay = policy.delay_after_status(response, attempt, repeatable)
                if delay is None:
                    raise error_from_response(response)
                await anyio.sleep(delay)
            attempt += 1


def connection_error(error: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    cls = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
    what = "timed out" if cls is APITimeoutError else "failed"
    # Without the query: upload URLs and upload tokens carry credentials there.
    url = request.url.copy_with(query=None)
    return cls(f"{request.method} {url} {what}: {error!r}", request=request)
