"""``images.upload_via_url``: the server fetches the image (here from loopback, allowed)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from imgwired.client import BadRequestError, ImageStatus
from imgwired.config import Settings
from tests.client.conftest import Connect
from tests.conftest import Tenant
from tests.images.helpers import jpeg

PHOTO = jpeg(90, 60)


class _Origin(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(PHOTO)))
        self.end_headers()
        self.wfile.write(PHOTO)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def origin() -> Iterator[str]:
    """The base URL of a web server on loopback that answers every GET with ``PHOTO``."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"fetch_allowed_networks": ["127.0.0.1/32"]})


def test_the_server_fetches_and_processes_the_url(
    connect: Connect, tenant: Tenant, origin: str
) -> None:
    sdk = connect(tenant.server_key)

    image = sdk.images.upload_via_url(f"{origin}/photos/cat.jpg", idempotency_key="cat")
    again = sdk.images.upload_via_url(f"{origin}/photos/cat.jpg", idempotency_key="cat")
    done = sdk.images.wait_until_processed(image.id)

    assert image.original_filename == "cat.jpg"
    assert again.id == image.id
    assert (done.status, done.width, done.height) == (ImageStatus.READY, 90, 60)


def test_a_host_that_does_not_resolve_is_a_bad_request(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    with pytest.raises(BadRequestError) as caught:
        sdk.images.upload_via_url("http://no-such-host.invalid/cat.jpg")

    assert caught.value.status_code == 400
    assert caught.value.error_type == "FetchFailedError"
    assert "no-such-host.invalid" in caught.value.message
    assert caught.value.request_id
