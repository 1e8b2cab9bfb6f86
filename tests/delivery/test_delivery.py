"""Delivery at cdn_url through HTTP: originals, renditions, negotiation, caching and refusals."""

from __future__ import annotations

from typing import Any

import pytest
import pyvips  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from imgwired.config import Settings
from imgwired.db.models import DerivedImage
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, path_of, png_bomb, put, run_jobs, upload


def cdn_path(image: dict[str, Any], suffix: str = "") -> str:
    return path_of(image["cdn_url"]) + suffix


def decoded(response: Any) -> Any:
    return pyvips.Image.new_from_buffer(response.content, "")


def derived_count(app: FastAPI) -> int:
    with app.state.services.database.reading() as session:
        count: int = session.scalar(select(func.count()).select_from(DerivedImage))
    return count


@pytest.fixture
def photo(app: FastAPI, client: TestClient, tenant: Tenant) -> dict[str, Any]:
    return upload(app, client, tenant.server, jpeg(800, 600), file_name="photo.jpg")


def test_the_original_is_served_as_stored(client: TestClient, photo: dict[str, Any]) -> None:
    response = client.get(cdn_path(photo), headers={"Accept": "image/avif,image/webp,*/*"})
    assert response.status_code == 200
    assert response.content == jpeg(800, 600)
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["ETag"].startswith('"')
    # The stored bytes do not depend on Accept, so caches need not vary on it.
    assert "Vary" not in response.headers


def test_a_rendition_is_rendered_once_then_served_from_the_cache(
    app: FastAPI, client: TestClient, photo: dict[str, Any]
) -> None:
    app.state.services.usage.drain()
    first = client.get(cdn_path(photo, "?w=200&format=webp"))
    assert first.status_code == 200, first.text
    assert first.headers["Content-Type"] == "image/webp"
    image = decoded(first)
    assert (image.width, image.height) == (200, 150)
    again = client.get(cdn_path(photo, "?width=200&f=webp"))  # the same, spelled differently
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]
    assert derived_count(app) == 1

    counts = list(app.state.services.usage.drain().values())
    assert len(counts) == 1
    assert counts[0].requests == 2
    assert (counts[0].cache_misses, counts[0].cache_hits) == (1, 1)
    assert counts[0].transformations == 1
    assert counts[0].transfer_bytes == 2 * len(first.content)


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "image/avif"),
        ("image/webp,*/*", "image/webp"),
        ("image/avif;q=0,image/webp", "image/webp"),
        ("image/*,*/*", "image/jpeg"),
        (None, "image/jpeg"),
    ],
)
def test_auto_format_is_negotiated_from_accept(
    client: TestClient, photo: dict[str, Any], accept: str | None, content_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(cdn_path(photo, "?w=100"), headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Vary"] == "Accept"
    assert decoded(response).width == 100
    explicit = client.get(cdn_path(photo, "?w=100&format=png"), headers=headers)
    assert explicit.headers["Content-Type"] == "image/png"
    assert "Vary" not in explicit.headers


@pytest.mark.parametrize(
    ("preset", "size"),
    [
        ("thumbnail", (150, 150)),
        ("small", (320, 240)),
        ("medium", (640, 480)),
        ("large", (800, 600)),
    ],
)
def test_presets(
    client: TestClient, photo: dict[str, Any], preset: str, size: tuple[int, int]
) -> None:
    response = client.get(cdn_path(photo, f"@{preset}"))
    assert response.status_code == 200, response.text
    image = decoded(response)
    assert (image.width, image.height) == size  # `large` never enlarges the 800 px original


def test_a_preset_takes_explicit_overrides(client: TestClient, photo: dict[str, Any]) -> None:
    response = client.get(cdn_path(photo, "@thumbnail?w=60&h=60&format=png"))
    assert response.headers["Content-Type"] == "image/png"
    assert (decoded(response).width, decoded(response).height) == (60, 60)
    assert client.get(cdn_path(photo, "@huge")).status_code == 400


def test_etag_304_and_head(client: TestClient, photo: dict[str, Any]) -> None:
    for suffix in ("", "?w=120"):
        full = client.get(cdn_path(photo, suffix))
        etag = full.headers["ETag"]
        cached = client.get(cdn_path(photo, suffix), headers={"If-None-Match": etag})
        assert cached.status_code == 304
        assert cached.content == b""
        assert cached.headers["ETag"] == etag
        assert cached.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        other = client.get(cdn_path(photo, suffix), headers={"If-None-Match": '"other"'})
        assert other.status_code == 200
        head = client.head(cdn_path(photo, suffix))
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["Content-Length"] == str(len(full.content))
        assert head.headers["Content-Type"] == full.headers["Content-Type"]


def test_a_304_needs_no_render(app: FastAPI, client: TestClient, photo: dict[str, Any]) -> None:
    etag = client.head(cdn_path(photo, "?w=90")).headers["ETag"]
    with app.state.services.database.transaction() as session:
        session.query(DerivedImage).delete()
    answer = client.get(cdn_path(photo, "?w=90"), headers={"If-None-Match": etag})
    assert answer.status_code == 304
    assert derived_count(app) == 0


def test_images_that_are_not_ready_are_never_served(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    pending = create(client, tenant.server)["image"]
    assert client.get(cdn_path(pending)).status_code == 404

    created = create(client, tenant.server, file_name="bomb.png")
    assert put(client, created["upload_url"], png_bomb()).status_code == 200
    run_jobs(app)
    quarantined = client.get(f"/api/v1/images/{created['image']['id']}", headers=tenant.server)
    assert quarantined.json()["status"] == "QUARANTINE"
    for suffix in ("", "?w=10"):
        response = client.get(cdn_path(quarantined.json(), suffix))
        assert response.status_code == 404
        assert response.json()["error_type"] == "ImageNotFoundError"


def test_a_deleted_image_is_gone_with_its_renditions(
    app: FastAPI, client: TestClient, tenant: Tenant, photo: dict[str, Any]
) -> None:
    for width in (50, 60, 70):
        assert client.get(cdn_path(photo, f"?w={width}")).status_code == 200
    blobs = app.state.services.blobs
    prefix = f"{tenant.environment_id}/{photo['id']}/"
    assert len(list(blobs.list_prefix(prefix))) == 4  # the original and three renditions
    assert client.delete(f"/api/v1/images/{photo['id']}", headers=tenant.server).status_code == 200
    assert client.get(cdn_path(photo)).status_code == 404
    assert client.get(cdn_path(photo, "?w=50")).status_code == 404
    run_jobs(app)
    assert list(blobs.list_prefix(prefix)) == []
    assert derived_count(app) == 0


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("?nonsense=1", "nonsense"),
        ("?w=100&width=200", "width"),
        ("?w=1&w=2", "width"),
        ("?w=1_000", "width"),
        ("?w=-5", "width"),
        ("?q=0x10", "quality"),
        ("?bg=zzzzzz", "background"),
        ("?bg=%23ff00", "background"),
        ("?crop=%7Bnot-json", "crop"),
        ("?format=bmp", "format"),
        ("?blur=nan", "blur"),
        ("?wm=abc", "watermark"),
        ("?" + "&".join(f"p{i}=1" for i in range(300)), ""),
    ],
)
def test_bad_parameters_are_a_clear_400(
    client: TestClient, photo: dict[str, Any], query: str, mentions: str
) -> None:
    response = client.get(cdn_path(photo, query))
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_type"] == "InvalidTransformationError"
    assert mentions in body["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_urls_that_name_no_image_are_404(
    client: TestClient, photo: dict[str, Any], other_tenant: Tenant
) -> None:
    org, env, image = path_of(photo["cdn_url"]).split("/")[2:]
    for path in (
        f"/cdn/{org}/{other_tenant.environment_id}/{image}",
        f"/cdn/{env}/{env}/{image}",
        f"/cdn/{org}/{env}/not-an-id",
        f"/cdn/{org}/{env}/{env}",
        f"/cdn/{org}/{env}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_source_over_the_pixel_limit_is_refused_before_decoding(
    settings: Settings, client: TestClient, photo: dict[str, Any]
) -> None:
    strict = create_app(settings.model_copy(update={"max_pixels": 1000}))
    with TestClient(strict, raise_server_exceptions=False) as strict_client:
        response = strict_client.get(cdn_path(photo, "?w=10"))
    assert response.status_code == 400
    assert response.json()["error_type"] == "TransformationTooLargeError"


def test_a_thousand_parameter_combinations_keep_the_cache_bounded(
    settings: Settings, tenant: Tenant
) -> None:
    # A thousand on the filesystem; on S3 (slower per request) fewer, under a lower cap.
    on_s3 = settings.blob_store_url.startswith("s3://")
    combinations, limit = (150, 40) if on_s3 else (1000, settings.max_variants_per_image)
    # One client asks for a thousand renders: the render rate limit (its own tests) is off.
    unlimited = {"max_variants_per_image": limit, "rate_limit_render_per_second": 0}
    capped = create_app(settings.model_copy(update=unlimited))
    with TestClient(capped, raise_server_exceptions=False) as client:
        small = upload(capped, client, tenant.server, jpeg(64, 48))
        for index in range(combinations):
            response = client.get(cdn_path(small, f"?w={index % 64 + 1}&q={index // 64 + 1}"))
            assert response.status_code == 200, response.text
        assert derived_count(capped) == limit
        prefix = f"{tenant.environment_id}/{small['id']}/derived/"
        assert len(list(capped.state.services.blobs.list_prefix(prefix))) == limit
        # An evicted rendition is simply made again.
        again = client.get(cdn_path(small, "?w=1&q=1"))
        assert again.status_code == 200
        assert decoded(again).width == 1


def test_originals_browsers_cannot_show_are_converted(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    tiff = pyvips.Image.black(40, 30, bands=3).cast("uchar").tiffsave_buffer()
    image = upload(app, client, tenant.server, tiff, file_name="scan.tiff")
    assert image["status"] == "READY" and image["is_directly_deliverable"] is False
    response = client.get(cdn_path(image))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert (decoded(response).width, decoded(response).height) == (40, 30)
    webp = client.get(cdn_path(image), headers={"Accept": "image/webp"})
    assert webp.headers["Content-Type"] == "image/webp"


def test_a_cdn_host_of_its_own_serves_at_the_root(settings: Settings, tenant: Tenant) -> None:
    configured = settings.model_copy(update={"cdn_base_url": "https://cdn.imgwired.test"})
    cdn_app = create_app(configured)
    with TestClient(cdn_app, raise_server_exceptions=False) as cdn_client:
        image = upload(cdn_app, cdn_client, tenant.server, jpeg(80, 60))
        assert image["cdn_url"].startswith("https://cdn.imgwired.test/")
        path = path_of(image["cdn_url"])
        served = cdn_client.get(path, headers={"Host": "cdn.imgwired.test"})
        assert served.status_code == 200
        assert served.content == jpeg(80, 60)
        # The API host does not answer the CDN's paths at its root.
        assert cdn_client.get(path).status_code == 404
        assert cdn_client.get("/cdn" + path).status_code == 200
