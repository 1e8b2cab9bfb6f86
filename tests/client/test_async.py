"""``AsyncImgwireClient``: the same operations, awaited, against the real app."""

from __future__ import annotations

import io

import pytest

from imgwired.client import ImageStatus, NotFoundError
from tests.client.conftest import AsyncConnect
from tests.conftest import Tenant
from tests.images.helpers import jpeg

pytestmark = pytest.mark.anyio


async def test_upload_list_retrieve_delete(aconnect: AsyncConnect, tenant: Tenant) -> None:
    async with aconnect(tenant.server_key) as sdk:
        image = await sdk.images.upload(jpeg(50, 25), file_name="a.jpg", wait=True)
        streamed = await sdk.images.upload(io.BytesIO(jpeg()), file_name="b.jpg")
        again = await sdk.images.upload(
            jpeg(50, 25), file_name="a.jpg", idempotency_key="a", wait=True
        )
        first_page = await sdk.images.list(limit=2)
        listed = [each.id async for each in sdk.images.list_all(limit=1)]
        pages = [page.page async for page in sdk.images.list_pages(limit=2)]
        fetched = await sdk.images.retrieve(image.id)
        deleted = await sdk.images.delete(streamed.id)
        with pytest.raises(NotFoundError):
            await sdk.images.retrieve(streamed.id)

    assert (image.status, image.width, image.height) == (ImageStatus.READY, 50, 25)
    assert again.id != image.id  # the first upload had no idempotency key
    assert (first_page.total, first_page.next_page) == (3, 2)
    assert sorted(listed) == sorted([image.id, streamed.id, again.id])
    assert pages == [1, 2]
    assert fetched == image
    assert deleted == {"id": str(streamed.id), "status": "deleted"}


async def test_the_other_resources(aconnect: AsyncConnect, tenant: Tenant) -> None:
    async with aconnect(tenant.server_key) as sdk:
        origin = await sdk.cors_origins.create("https://app.example.com")
        origins = [each.id async for each in sdk.cors_origins.list_all()]
        token = await sdk.images.create_upload_token()
        stats = await sdk.metrics.get_stats()
        datasets = await sdk.metrics.get_datasets(interval="DAILY")
        with pytest.raises(NotFoundError):
            await sdk.custom_domain.retrieve()

    assert origins == [origin.id]
    assert token.token
    assert stats.uploads.value == 0
    assert datasets.uploads
