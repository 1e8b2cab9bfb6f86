"""``client.images`` against the real app: uploads, listing, reading and deleting."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from anyio.from_thread import BlockingPortal

from imgwired.client import Image, ImageStatus, NotFoundError, Page, ProcessingTimeoutError
from tests.client.conftest import Connect
from tests.client.helpers import fetch
from tests.client.servers import Server
from tests.conftest import Tenant
from tests.images.helpers import jpeg, png


def test_a_jpeg_file_is_uploaded_and_processed(
    connect: Connect, tenant: Tenant, tmp_path: Path
) -> None:
    data = jpeg(64, 48)
    path = tmp_path / "hero.jpg"
    path.write_bytes(data)
    sdk = connect(tenant.server_key)

    image = sdk.images.upload(path, wait=True, purpose="hero", custom_metadata={"alt": "red"})

    assert image.status == ImageStatus.READY
    assert (image.width, image.height) == (64, 48)
    assert image.original_filename == "hero.jpg"
    assert image.mime_type == "image/jpeg"
    assert image.size_bytes == len(data)
    assert image.hash_sha256 == hashlib.sha256(data).hexdigest()
    assert image.purpose == "hero"
    assert image.custom_metadata == {"alt": "red"}
    assert sdk.images.retrieve(image.id) == image


def test_bytes_and_file_objects_upload_too(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    from_bytes = sdk.images.upload(png(20, 10), file_name="a.png", wait=True)
    from_file = sdk.images.upload(io.BytesIO(jpeg(30, 15)), file_name="b.jpg", wait=True)

    assert (from_bytes.status, from_bytes.width, from_bytes.height) == ("READY", 20, 10)
    assert (from_file.status, from_file.width, from_file.height) == ("READY", 30, 15)
    assert from_file.original_filename == "b.jpg"


class _Pipe(io.BytesIO):
    """A stream that cannot seek, like a pipe or a socket: read once, length unknown."""

    def seekable(self) -> bool:
        return False


def test_a_stream_that_cannot_seek_is_sent_once_unhashed(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)
    data = jpeg(24, 12)

    image = sdk.images.upload(_Pipe(data), file_name="piped.jpg", wait=True)

    assert (image.status, image.width, image.height) == (ImageStatus.READY, 24, 12)
    assert image.size_bytes == len(data)
    assert image.hash_sha256 == hashlib.sha256(data).hexdigest()  # computed by the server


def test_waiting_gives_up_with_the_image_as_last_seen(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)
    pending = sdk.images.create(file_name="never-sent.jpg").image

    with pytest.raises(ProcessingTimeoutError) as caught:
        sdk.images.wait_until_processed(pending.id, timeout=0)

    assert caught.value.resource == pending
    assert "still PENDING" in str(caught.value)


def test_without_wait_the_upload_answers_before_processing(
    connect: Connect, tenant: Tenant
) -> None:
    sdk = connect(tenant.server_key)

    image = sdk.images.upload(jpeg(), file_name="photo.jpg")

    assert image.status in (ImageStatus.PROCESSING, ImageStatus.READY)
    assert not image.can_upload
    assert sdk.images.wait_until_processed(image.id).status == ImageStatus.READY


def test_the_same_idempotency_key_answers_the_same_image(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)
    data = jpeg()

    first = sdk.images.upload(data, file_name="once.jpg", idempotency_key="order-1", wait=True)
    again = sdk.images.upload(data, file_name="once.jpg", idempotency_key="order-1", wait=True)

    assert again.id == first.id
    assert again.status == ImageStatus.READY
    assert sdk.images.list().total == 1


def test_create_then_put_is_the_upload_in_two_steps(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    created = sdk.images.create(file_name="later.jpg", mime_type="image/jpeg")

    assert created.image.status == ImageStatus.PENDING
    assert created.image.can_upload
    assert "/upload/" in created.upload_url and "signature=" in created.upload_url


def test_list_pages_walks_every_page(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)
    made = [sdk.images.create(file_name=f"{n}.jpg").image.id for n in range(5)]

    first = sdk.images.list(limit=2)
    pages = list(sdk.images.list_pages(limit=2))

    assert isinstance(first, Page)
    assert (first.page, first.limit, first.total, first.next_page, first.prev_page) == (
        1,
        2,
        5,
        2,
        None,
    )
    assert [page.page for page in pages] == [1, 2, 3]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert pages[-1].next_page is None and pages[-1].prev_page == 2
    listed = [image.id for image in sdk.images.list_all(limit=2)]
    assert listed == [image.id for page in pages for image in page]
    assert sorted(listed) == sorted(made)
    assert [image.id for image in sdk.images.list_all(page=3, limit=2)] == listed[4:]


def test_delete_and_bulk_delete(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)
    ids = [sdk.images.create(file_name=f"{n}.jpg").image.id for n in range(3)]

    assert sdk.images.delete(ids[0]) == {"id": str(ids[0]), "status": "deleted"}
    with pytest.raises(NotFoundError):
        sdk.images.retrieve(ids[0])
    with pytest.raises(NotFoundError):  # all or nothing: ids[0] is gone already
        sdk.images.bulk_delete(ids)
    assert sdk.images.list().total == 2

    result = sdk.images.bulk_delete(ids[1:])

    assert result["status"] == "deleted"
    assert sdk.images.list().total == 0


def test_a_single_id_is_not_taken_for_a_list(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    with pytest.raises(TypeError):
        sdk.images.bulk_delete(str(uuid.uuid4()))


def test_cdn_urls_deliver_the_image(
    server: Server, portal: BlockingPortal, connect: Connect, tenant: Tenant
) -> None:
    sdk = connect(tenant.server_key)
    image = sdk.images.upload(jpeg(64, 48), file_name="cdn.jpg", wait=True)

    original = fetch(server, portal, image.url())
    resized = fetch(server, portal, image.url(width=32, format="png"))
    thumbnail = fetch(server, portal, image.url(preset="thumbnail"))

    assert original.status_code == 200 and original.headers["content-type"] == "image/jpeg"
    assert resized.status_code == 200 and resized.headers["content-type"] == "image/png"
    assert thumbnail.status_code == 200


def test_image_url_builds_without_the_network() -> None:
    image = Image.model_validate(
        {
            "id": str(uuid.uuid4()),
            "original_filename": "a.jpg",
            "status": "READY",
            "cdn_url": "https://cdn.example.com/org/env/abc",
            "mime_type": "image/jpeg",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
        }
    )

    assert image.url() == "https://cdn.example.com/org/env/abc"
    assert image.url(preset="small") == "https://cdn.example.com/org/env/abc@small"
    assert (
        image.url(preset="large", width=300, crop=None, grayscale=True, bg="#fff")
        == "https://cdn.example.com/org/env/abc@large?width=300&grayscale=true&bg=%23fff"
    )
    with pytest.raises(ValueError, match="preset"):
        image.url(preset="../secret")
    with pytest.raises(TypeError):
        image.url(width=[1, 2])  # type: ignore[arg-type]
