"""Images made on the fly for tests, and the small steps of the upload flow."""

from __future__ import annotations

import zlib
from typing import Any
from urllib.parse import urlsplit

import pyvips  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.testclient import TestClient


def jpeg(width: int = 64, height: int = 48, **exif: str) -> bytes:
    # Adding a list to a vips image adds a constant per band (not list concatenation).
    image = pyvips.Image.black(width, height, bands=3).linear([1, 1, 1], [200, 30, 30])
    image = image.cast("uchar")
    for name, value in exif.items():
        image.set_type(pyvips.GValue.gstr_type, f"exif-ifd0-{name}", value)
    data: bytes = image.jpegsave_buffer(Q=85)
    return data


def noisy_jpeg(width: int, height: int) -> bytes:
    """A JPEG that does not compress away: random noise."""
    noise = pyvips.Image.gaussnoise(width, height, sigma=60).cast("uchar")
    data: bytes = noise.bandjoin([noise, noise]).jpegsave_buffer(Q=95)
    return data


def png(width: int = 32, height: int = 32) -> bytes:
    data: bytes = (pyvips.Image.black(width, height, bands=3) + 90).cast("uchar").pngsave_buffer()
    return data


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header declares an enormous image (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def path_of(url: str) -> str:
    """The path and query of an absolute URL, for the in-process client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def create(
    client: TestClient, headers: dict[str, str], token: str | None = None, **body: Any
) -> dict[str, Any]:
    body.setdefault("file_name", "photo.jpg")
    params = {"upload_token": token} if token else None
    response = client.post(
        "/api/v1/images/standard_upload", json=body, headers=headers, params=params
    )
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def put(client: TestClient, upload_url: str, data: bytes, **headers: str) -> Any:
    return client.put(path_of(upload_url), content=data, headers=headers)


def run_jobs(app: FastAPI) -> int:
    ran: int = app.state.services.jobs.run_pending()
    return ran


def upload(
    app: FastAPI, client: TestClient, headers: dict[str, str], data: bytes, **body: Any
) -> dict[str, Any]:
    """The whole flow: create, PUT the bytes, process; returns the image as GET shows it."""
    created = create(client, headers, **body)
    response = put(client, created["upload_url"], data)
    assert response.status_code == 200, response.text
    run_jobs(app)
    image = client.get(f"/api/v1/images/{created['image']['id']}", headers=headers)
    assert image.status_code == 200
    result: dict[str, Any] = image.json()
    return result
