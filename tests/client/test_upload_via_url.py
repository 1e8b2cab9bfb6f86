"""``images.upload_via_url``: the server fetches the image (here from loopback, allowed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imgwired.client import BadRequestError, ImageStatus
from imgwired.config import Settings
from tests.client.conftest import Connect
from tests.conftest import Tenant
from tests.images.photo_origin import serving_photos


@pytest.fixture
def origin() -> Iterator[str]:
    """The base URL of a web server on loopback that answers GETs with a 90x60 JPEG."""
    with serving_photos() as server:
        yield f"http://127.0.0.1:{server.server_port}"


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
