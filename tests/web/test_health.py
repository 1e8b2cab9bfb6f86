"""``/health`` reports the database and the blob store, and answers 503 when either is down."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient

from imgwired import __version__
from imgwired.config import Settings
from imgwired.web.app import create_app


def health_of(settings: Settings) -> tuple[int, dict[str, str]]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/health")
    return response.status_code, response.json()


def test_a_healthy_server_reports_each_part(settings: Settings) -> None:
    status, body = health_of(settings)

    assert status == 200
    assert body == {"status": "ok", "database": "ok", "blob_store": "ok", "version": __version__}
    # The probe's blob is gone again: the store holds nothing it did not hold before.
    assert list((settings.data_dir / "blobs").rglob("*")) == []


def test_a_blob_store_under_a_file_answers_503_naming_it(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_bytes(b"")
    broken = settings.model_copy(update={"blob_store_url": str(tmp_path / "a-file" / "blobs")})

    status, body = health_of(broken)

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["blob_store"] != "ok" and "Not a directory" in body["blob_store"]


def test_an_s3_bucket_that_does_not_exist_answers_503_naming_it(
    settings: Settings, s3_endpoint: str
) -> None:
    bucket = f"missing-{uuid.uuid4().hex}"
    url = (
        f"s3://{bucket}?endpoint_url={s3_endpoint}&region=us-east-1"
        "&access_key_id=test&secret_access_key=test"
    )
    status, body = health_of(settings.model_copy(update={"blob_store_url": url}))

    assert status == 503
    assert body["database"] == "ok"
    assert "NoSuchBucket" in body["blob_store"]
