"""Retries, timeouts and connection failures, against scripted servers on loopback.

``ScriptedApp`` answers with a fixed list of replies and records every request it saw, so each
test asserts how many times the SDK sent a request, not only what it finally raised.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from imgwired.client import (
    APIConnectionError,
    APITimeoutError,
    AsyncImgwireClient,
    ImageStatus,
    ImgwireClient,
    InternalServerError,
    RateLimitError,
)
from tests.client.servers import Reply, ScriptedApp, base_url_of, bound_socket, serve_in_thread

IMAGE_ID = str(uuid.uuid4())


def image(status: str = "PENDING", *, can_upload: bool = False) -> dict[str, Any]:
    return {
        "id": IMAGE_ID,
        "original_filename": "a.jpg",
        "status": status,
        "cdn_url": f"http://cdn.test/{IMAGE_ID}",
        "mime_type": "image/jpeg",
        "can_upload": can_upload,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }


def error(status: int, error_type: str, **headers: str) -> Reply:
    return Reply(status, {"detail": error_type, "error_type": error_type}, headers)


UNAVAILABLE = error(503, "ServiceBusyError")


@contextmanager
def scripted(
    *replies: Reply, hold: threading.Event | None = None, **options: Any
) -> Iterator[tuple[ScriptedApp, ImgwireClient]]:
    """A ``ScriptedApp`` served on loopback, and an SDK client of it (no backoff by default)."""
    app = ScriptedApp(list(replies), hold=hold)
    options.setdefault("backoff_factor", 0)
    with bound_socket() as sock, serve_in_thread(app, sock) as url:
        try:
            with ImgwireClient(api_key="sk_test", base_url=url, **options) as sdk:
                yield app, sdk
        finally:
            if hold is not None:
                hold.set()


def test_a_get_is_retried_after_a_503() -> None:
    with scripted(UNAVAILABLE, UNAVAILABLE, Reply(200, image("READY"))) as (app, sdk):
        found = sdk.images.retrieve(IMAGE_ID)

    assert found.status == ImageStatus.READY
    assert [seen.method for seen in app.seen] == ["GET", "GET", "GET"]


def test_retries_stop_at_max_retries() -> None:
    with (
        scripted(UNAVAILABLE, max_retries=1) as (app, sdk),
        pytest.raises(InternalServerError) as caught,
    ):
        sdk.images.delete(IMAGE_ID)

    assert caught.value.status_code == 503
    assert caught.value.error_type == "ServiceBusyError"
    assert len(app.seen) == 2


def test_a_429_waits_as_long_as_retry_after_says() -> None:
    busy = error(429, "RateLimitedError", **{"Retry-After": "1"})
    with scripted(busy, Reply(200, [])) as (app, sdk):
        started = time.monotonic()
        page = sdk.images.list()
        waited = time.monotonic() - started

    assert page.items == [] and len(app.seen) == 2
    assert waited >= 0.95


def test_a_retry_after_too_long_to_wait_for_is_raised() -> None:
    busy = error(429, "RateLimitedError", **{"Retry-After": "3600"})
    with scripted(busy) as (app, sdk), pytest.raises(RateLimitError):
        sdk.images.list()

    assert len(app.seen) == 1


def test_a_post_without_an_idempotency_key_is_not_retried() -> None:
    with scripted(UNAVAILABLE, Reply(200, {})) as (app, sdk), pytest.raises(InternalServerError):
        sdk.images.create_upload_token()

    assert [(seen.method, seen.path) for seen in app.seen] == [("POST", "/api/v1/images/token")]


def test_a_post_with_an_idempotency_key_is_retried() -> None:
    created = {"image": image(can_upload=True), "upload_url": "http://unused.test/upload"}
    with scripted(UNAVAILABLE, Reply(200, created)) as (app, sdk):
        answer = sdk.images.create(file_name="a.jpg", idempotency_key="order-7")

    assert str(answer.image.id) == IMAGE_ID
    assert len(app.seen) == 2
    assert all(b'"idempotency_key":"order-7"' in seen.body for seen in app.seen)


def test_the_upload_put_is_retried_with_the_whole_body_and_no_api_key() -> None:
    with scripted() as (app, sdk):
        upload_url = f"{sdk.base_url}/upload/env/{IMAGE_ID}?expires=1&signature=s"
        app.replies[:] = [
            Reply(200, {"image": image(can_upload=True), "upload_url": upload_url}),
            UNAVAILABLE,
            Reply(200, image("PROCESSING")),
        ]
        uploaded = sdk.images.upload(b"x" * 3000, file_name="a.jpg")

    assert uploaded.status == ImageStatus.PROCESSING
    assert [seen.method for seen in app.seen] == ["POST", "PUT", "PUT"]
    for put in app.seen[1:]:
        assert put.body == b"x" * 3000
        assert "authorization" not in put.headers
        assert put.headers["content-length"] == "3000"


def test_a_retried_put_that_finds_its_url_used_answers_the_image() -> None:
    # The first PUT stored the bytes but its answer was lost: the URL is used, the image is not
    # PENDING any more, and the upload succeeded.
    with scripted() as (app, sdk):
        upload_url = f"{sdk.base_url}/upload/env/{IMAGE_ID}?expires=1&signature=s"
        app.replies[:] = [
            Reply(200, {"image": image(can_upload=True), "upload_url": upload_url}),
            UNAVAILABLE,
            error(403, "UploadUrlError"),
            Reply(200, image("READY")),
        ]
        uploaded = sdk.images.upload(b"bytes", file_name="a.jpg")

    assert uploaded.status == ImageStatus.READY
    assert [seen.method for seen in app.seen] == ["POST", "PUT", "PUT", "GET"]


def test_a_slow_server_is_a_timeout_retried_only_when_safe() -> None:
    hold = threading.Event()
    with scripted(Reply(200, []), hold=hold, timeout=0.2, max_retries=1) as (app, sdk):
        with pytest.raises(APITimeoutError):
            sdk.images.list()
        gets = len(app.seen)
        with pytest.raises(APITimeoutError) as caught:
            sdk.images.create_upload_token()

    assert gets == 2
    assert [seen.method for seen in app.seen] == ["GET", "GET", "POST"]
    assert "timed out" in str(caught.value)


class CountingTransport(httpx.HTTPTransport):
    """The network, counting the attempts to send."""

    attempts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        return super().handle_request(request)


def test_a_refused_connection_is_retried_even_for_a_post(listener: socket.socket) -> None:
    # ``listener`` is bound but not listening: connecting is refused, so nothing was sent.
    transport = CountingTransport()
    url = base_url_of(listener)
    with (
        ImgwireClient(
            api_key="sk_test", base_url=url, backoff_factor=0, transport=transport
        ) as sdk,
        pytest.raises(APIConnectionError) as caught,
    ):
        sdk.images.create(file_name="a.jpg", upload_token="secret-token")

    assert transport.attempts == 3  # the first try and max_retries=2 more
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.request.method == "POST"
    assert "secret-token" not in str(caught.value)


@pytest.mark.anyio
async def test_the_async_client_retries_the_same_way() -> None:
    with scripted(UNAVAILABLE, Reply(200, image("READY")), UNAVAILABLE) as (app, sync_sdk):
        async with AsyncImgwireClient(
            api_key="sk_test", base_url=sync_sdk.base_url, backoff_factor=0
        ) as sdk:
            found = await sdk.images.retrieve(IMAGE_ID)
            with pytest.raises(InternalServerError):
                await sdk.images.bulk_delete([IMAGE_ID])

    assert found.status == ImageStatus.READY
    assert [seen.method for seen in app.seen] == ["GET", "GET", "POST"]
