"""Watermarks at cdn_url, on the filesystem and on S3: an image by id, a URL, or a text.

The watermarked image is a 200x100 light grey PNG and the mark a 40x20 blue PNG, so the
pixels of a PNG output say exactly where the mark landed and what it looks like.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pyvips  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from imgwired.config import Settings
from imgwired.db.models import DerivedImage
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.delivery.watermark_origin import https_origin, make_pki
from tests.images.helpers import create, path_of, upload
from tests.ingest.helpers import LoopbackServer, body, running_server
from tests.transform.helpers import near, rgb
from tests.transform.watermark_helpers import box_of

GREY = (200, 200, 200)
BLUE = (0, 0, 255)
RED = (255, 0, 0)


def png_of(colour: tuple[int, int, int], width: int, height: int) -> bytes:
    image = (pyvips.Image.black(width, height, bands=3) + list(colour)).cast("uchar")
    data: bytes = image.copy(interpretation="srgb").pngsave_buffer()
    return data


def noise_png(width: int, height: int) -> bytes:
    noise = pyvips.Image.gaussnoise(width, height, sigma=80).cast("uchar")
    data: bytes = noise.bandjoin([noise, noise]).pngsave_buffer()
    return data


def b64(url: str) -> str:
    return base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def fetch(client: TestClient, image: dict[str, Any], query: str, **headers: str) -> Any:
    return client.get(path_of(image["cdn_url"]) + "?" + query, headers=headers)


def drawn(client: TestClient, image: dict[str, Any], query: str) -> Any:
    response = fetch(client, image, query + "&format=png")
    assert response.status_code == 200, response.text
    return pyvips.Image.new_from_buffer(response.content, "")


def dependants(app: FastAPI, mark_id: str) -> list[str]:
    with app.state.services.database.reading() as session:
        keys = session.scalars(
            select(DerivedImage.blob_key).where(
                DerivedImage.watermark_image_id == uuid.UUID(mark_id)
            )
        )
        return list(keys)


@pytest.fixture
def base(app: FastAPI, client: TestClient, tenant: Tenant) -> dict[str, Any]:
    return upload(app, client, tenant.server, png_of(GREY, 200, 100), file_name="base.png")


@pytest.fixture
def mark(app: FastAPI, client: TestClient, tenant: Tenant) -> dict[str, Any]:
    return upload(app, client, tenant.server, png_of(BLUE, 40, 20), file_name="mark.png")


# -- an image of the environment ---------------------------------------------------------------


def test_an_image_watermark_is_placed_sized_turned_faded_and_shadowed(
    client: TestClient, base: dict[str, Any], mark: dict[str, Any]
) -> None:
    wm = f"wm={mark['id']}"
    for query, box in [
        (f"{wm}&wmp=se:10:5", (150, 75, 190, 95)),
        (f"{wm}:nw", (0, 0, 40, 20)),
        (f"{wm}&wmp=ne:0.25:0.1", (110, 10, 150, 30)),
        (f"{wm}&wms=100", (50, 25, 150, 75)),
        (f"{wm}&wmr=90&wmp=nw", (0, 0, 20, 40)),
    ]:
        assert box_of(drawn(client, base, query), BLUE) == box, query
    faded = drawn(client, base, f"{wm}&wmp=ce:0:0:0.5")
    assert near(rgb(faded, 100, 50), (100, 100, 228), 3)
    assert near(rgb(faded, 10, 10), GREY, 0)
    shadowed = drawn(client, base, f"{wm}&wmp=nw:10:10&wmsh=000000:0:6:4")
    assert box_of(shadowed, BLUE) == (10, 10, 50, 30)
    assert near(rgb(shadowed, 53, 32), (0, 0, 0), 0)
    assert near(rgb(shadowed, 12, 32), GREY, 0)


def test_a_text_watermark_draws_visible_letters(client: TestClient, base: dict[str, Any]) -> None:
    text = quote(json.dumps({"text": "imgwired", "size": 30, "color": "f00"}))
    image = drawn(client, base, f"wmt={text}&wmp=nw:5:5")
    left, top, right, bottom = box_of(image, RED, tolerance=60)
    assert left >= 5 and top >= 5
    assert 60 <= right - left <= 160 and 10 <= bottom - top <= 40
    assert near(rgb(image, 190, 90), GREY, 0)


def test_only_a_ready_image_of_the_same_environment_can_be_a_watermark(
    app: FastAPI,
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    base: dict[str, Any],
) -> None:
    foreign = upload(app, client, other_tenant.server, png_of(BLUE, 40, 20), file_name="m.png")
    pending = create(client, tenant.server, file_name="pending.png")["image"]
    unknown = str(uuid.uuid4())
    details = set()
    for image_id in (foreign["id"], pending["id"], unknown):
        response = fetch(client, base, f"wm={image_id}")
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error_type"] == "InvalidTransformationError"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        # One answer for all: nothing tells whether the id exists in another environment.
        details.add(body["detail"].replace(image_id, "<id>"))
    assert len(details) == 1, details


def test_the_watermark_source_is_part_of_the_cache_key_and_etag(
    app: FastAPI, client: TestClient, tenant: Tenant, base: dict[str, Any], mark: dict[str, Any]
) -> None:
    other = upload(app, client, tenant.server, png_of(RED, 40, 20), file_name="red.png")
    first = fetch(client, base, f"wm={mark['id']}&wmp=se&format=png")
    again = fetch(client, base, f"watermark={mark['id']}:soea&format=png")
    swapped = fetch(client, base, f"wm={other['id']}&wmp=se&format=png")
    plain = fetch(client, base, "format=png")
    assert first.status_code == again.status_code == swapped.status_code == 200
    assert first.headers["ETag"] == again.headers["ETag"]  # one position, two spellings
    etags = {r.headers["ETag"] for r in (first, swapped, plain)}
    assert len(etags) == 3
    assert fetch(client, base, f"wm={mark['id']}&wmp=se&format=png").content == first.content
    revalidated = fetch(
        client,
        base,
        f"wm={mark['id']}&wmp=se&format=png",
        **{"If-None-Match": first.headers["ETag"]},
    )
    assert revalidated.status_code == 304
    assert len(dependants(app, mark["id"])) == 1
    assert len(dependants(app, other["id"])) == 1


def test_deleting_the_watermark_stops_its_renditions_at_once_and_purges_them(
    app: FastAPI, client: TestClient, tenant: Tenant, base: dict[str, Any], mark: dict[str, Any]
) -> None:
    query = f"wm={mark['id']}&wmp=se&format=png"
    served = fetch(client, base, query)
    assert served.status_code == 200
    assert fetch(client, base, query).status_code == 200  # now from memory
    assert fetch(client, base, "w=50&format=png").status_code == 200
    (stored,) = dependants(app, mark["id"])
    blobs = app.state.services.blobs
    assert blobs.exists(stored)

    deleted = client.delete(f"/api/v1/images/{mark['id']}", headers=tenant.server)
    assert deleted.status_code == 200, deleted.text
    refused = fetch(client, base, query)
    assert refused.status_code == 400
    assert refused.json()["error_type"] == "InvalidTransformationError"
    etag = served.headers["ETag"]
    assert fetch(client, base, query, **{"If-None-Match": etag}).status_code == 400

    app.state.services.jobs.run_pending()
    assert dependants(app, mark["id"]) == []
    assert not blobs.exists(stored)
    # The watermarked image itself, and its other renditions, are untouched.
    assert fetch(client, base, "w=50&format=png").status_code == 200
    assert fetch(client, base, "").status_code == 200


def test_a_deleted_environment_or_another_organization_is_still_a_404(
    app: FastAPI, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    image = upload(app, client, other_tenant.server, png_of(GREY, 200, 100), file_name="b.png")
    marker = upload(app, client, other_tenant.server, png_of(BLUE, 40, 20), file_name="m.png")
    query = f"wm={marker['id']}"
    assert fetch(client, image, query).status_code == 200
    _, cdn, _, environment, image_id = path_of(image["cdn_url"]).split("/")
    foreign = f"/{cdn}/{uuid.uuid4()}/{environment}/{image_id}?{query}"
    assert client.get(foreign).status_code == 404
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    deleted = client.delete(f"/api/v1/environments/{other_tenant.environment_id}", headers=admin)
    assert deleted.status_code == 200, deleted.text
    url = b64("https://watermarks.invalid/mark.png")
    for asked in (query, f"wm={uuid.uuid4()}", f"wmu={url}"):
        response = fetch(client, image, asked)
        assert response.status_code == 404, response.text
        assert response.json()["error_type"] == "ImageNotFoundError"


# -- a URL -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_pki(tmp_path_factory.mktemp("watermark-pki"))


@pytest.fixture
def origin(
    pki: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[LoopbackServer]:
    ca, leaf, key = pki
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    with https_origin(leaf, key) as server:
        server.routes["/mark.png"] = body(png_of(BLUE, 40, 20), content_type="image/png")
        server.routes["/page.html"] = body(b"<!doctype html><p>hi</p>", content_type="text/html")
        server.routes["/large.png"] = body(noise_png(200, 200), content_type="image/png")
        yield server


@pytest.fixture
def dev_settings(settings: Settings) -> Settings:
    """As a developer runs it: loopback may be fetched; watermarks up to 20 kB."""
    update = {"fetch_allowed_networks": ["127.0.0.1/32"], "watermark_url_max_bytes": 20_000}
    return settings.model_copy(update=update)


@pytest.fixture
def dev(dev_settings: Settings) -> Iterator[tuple[FastAPI, TestClient, dict[str, Any]]]:
    """An app of ``dev_settings`` after ``init``, its client, and an image to watermark."""
    app = create_app(dev_settings)
    with TestClient(app) as client:
        installed = app.state.services.organization.initialize(environment_name="production")
        headers = {"Authorization": f"Bearer {installed.server_key.secret}"}
        image = upload(app, client, headers, png_of(GREY, 200, 100), file_name="base.png")
        yield app, client, image


def copies(app: FastAPI, image: dict[str, Any]) -> list[str]:
    prefix = f"{image['environment_id']}/watermarks/"
    return sorted(app.state.services.blobs.list_prefix(prefix))


def test_a_url_watermark_is_fetched_once_kept_and_drawn(
    dev: tuple[FastAPI, TestClient, dict[str, Any]],
    dev_settings: Settings,
    origin: LoopbackServer,
) -> None:
    app, client, image = dev
    wmu = f"wmu={b64(origin.url('/mark.png').replace('http:', 'https:'))}"
    assert box_of(drawn(client, image, f"{wmu}&wmp=se:10:5"), BLUE) == (150, 75, 190, 95)
    assert box_of(drawn(client, image, f"{wmu}&wmp=nw"), BLUE) == (0, 0, 40, 20)
    assert len(origin.requests) == 1  # the second rendition used the kept copy
    (copy,) = copies(app, image)
    assert copy.endswith(".png")
    first = fetch(client, image, f"{wmu}&wmp=nw&format=png")
    assert first.status_code == 200
    # Another process finds the kept copy in the blob store rather than fetching again.
    with TestClient(create_app(dev_settings)) as other:
        assert box_of(drawn(other, image, f"{wmu}&wmp=sw"), BLUE) == (0, 80, 40, 100)
    assert len(origin.requests) == 1

    # The bytes behind the URL change and the kept copy goes: the next render fetches again,
    # and since the copy's content is in the cache key, every rendition is made anew.
    origin.routes["/mark.png"] = body(png_of(RED, 40, 20), content_type="image/png")
    app.state.services.blobs.delete(copy)
    retry = fetch(client, image, f"{wmu}&wmp=ne&format=png")
    assert retry.status_code == 503, retry.text
    assert retry.headers["Retry-After"] == "1"
    assert box_of(drawn(client, image, f"{wmu}&wmp=ne"), RED) == (160, 0, 200, 20)
    changed = fetch(client, image, f"{wmu}&wmp=nw&format=png")
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert box_of(pyvips.Image.new_from_buffer(changed.content, ""), RED) == (0, 0, 40, 20)
    assert len(origin.requests) == 2


def test_plain_http_is_fetched_from_development_networks(
    dev: tuple[FastAPI, TestClient, dict[str, Any]],
) -> None:
    _, client, image = dev
    with running_server() as server:
        server.routes["/mark.png"] = body(png_of(BLUE, 40, 20), content_type="image/png")
        url = b64(server.url("/mark.png"))
        assert box_of(drawn(client, image, f"wmu={url}&wmp=nw"), BLUE) == (0, 0, 40, 20)


def test_loopback_is_never_fetched_without_development_networks(
    client: TestClient, base: dict[str, Any]
) -> None:
    with running_server() as server:
        server.routes["/mark.png"] = body(png_of(BLUE, 40, 20), content_type="image/png")
        for url in (server.url("/mark.png"), server.url("/mark.png").replace("http:", "https:")):
            refused = fetch(client, base, f"wmu={b64(url)}")
            assert refused.status_code == 400, refused.text
        assert server.requests == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://169.254.169.254/latest/meta-data/", "cloud metadata address"),
        ("https://127.0.0.1:9/mark.png", "loopback address"),
        ("https://10.0.0.1/mark.png", "private address"),
        ("https://[::ffff:10.0.0.1]/mark.png", "could not be fetched"),
        ("http://example.com/mark.png", "must be an https URL"),
    ],
)
def test_a_url_watermark_is_fetched_with_the_ssrf_defence_of_upload_via_url(
    client: TestClient, base: dict[str, Any], url: str, reason: str
) -> None:
    response = fetch(client, base, f"wmu={b64(url)}")
    assert response.status_code == 400, response.text
    assert response.json()["error_type"] == "InvalidTransformationError"
    assert reason in response.json()["detail"]


def test_a_url_that_is_not_a_small_image_is_refused_and_not_kept(
    dev: tuple[FastAPI, TestClient, dict[str, Any]], origin: LoopbackServer
) -> None:
    app, client, image = dev
    for path, reason in [
        ("/page.html", "not an image"),
        ("/large.png", "the limit is 20000"),
        ("/missing.png", "HTTP status 404"),
    ]:
        url = b64(origin.url(path).replace("http:", "https:"))
        response = fetch(client, image, f"wmu={url}")
        assert response.status_code == 400, response.text
        assert reason in response.json()["detail"], response.json()["detail"]
    assert copies(app, image) == []
