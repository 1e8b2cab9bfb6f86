"""The Python SDK backs off on 429: a burst over the key's limit, against the real server on a
socket, succeeds once Retry-After has been honoured."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from imgwired.client import ImgwireClient, NotFoundError
from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.client.servers import base_url_of, bound_socket, serve_in_thread

BURST = 3
CALLS = 10


class RecordingTransport(httpx.BaseTransport):
    """The network, with every status the server answered written down."""

    def __init__(self) -> None:
        self._network = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._network.handle_request(request)
        with self._lock:
            self.statuses.append(response.status_code)
        return response

    def close(self) -> None:
        self._network.close()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with bound_socket() as sock:
        yield sock


def test_a_burst_through_the_sdk_succeeds_after_backing_off(
    settings: Settings, listener: socket.socket
) -> None:
    limited = settings.model_copy(
        update={
            "public_url": base_url_of(listener),
            "rate_limit_key_per_second": 5,
            "rate_limit_key_burst": BURST,
        }
    )
    app = create_app(limited)
    with serve_in_thread(app, listener) as base_url:
        installed = app.state.services.organization.initialize(environment_name="production")
        transport = RecordingTransport()
        # Each round admits a burst; 10 calls need 4 rounds, so each call may retry 5 times.
        with (
            ImgwireClient(
                api_key=installed.server_key.secret,
                base_url=base_url,
                max_retries=5,
                transport=transport,
            ) as sdk,
            ThreadPoolExecutor(CALLS) as pool,
        ):
            # A client-callable endpoint (only those are limited), for an image that does not
            # exist: every call ends with the server's real answer, a 404.
            answers = list(pool.map(lambda _: _retrieve_missing(sdk), range(CALLS)))

    assert answers == [404] * CALLS
    assert transport.statuses.count(404) == CALLS
    # The server did refuse: the SDK waited and sent again.
    assert 429 in transport.statuses
    assert set(transport.statuses) == {404, 429}


def _retrieve_missing(sdk: ImgwireClient) -> int:
    try:
        sdk.images.retrieve(str(uuid.uuid4()))
    except NotFoundError as error:
        return error.status_code
    return 200
