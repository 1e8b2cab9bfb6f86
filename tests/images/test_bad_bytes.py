"""Bytes that are not what they claim: judged from the bytes, quarantined with the reason."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Tenant
from tests.images.helpers import jpeg, png, png_bomb, upload


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("text", b"hello, this is not an image at all" * 10, "not_an_image"),
        ("html", b"<!doctype html><html><script>alert(1)</script></html>", "not_an_image"),
        ("empty", b"", "not_an_image"),
        ("polyglot", png() + b"<html><script>alert(document.cookie)</script></html>", "polyglot"),
        ("truncated", jpeg(300, 200)[:1500], None),
        ("bomb", png_bomb(), "too_many_pixels"),
    ],
)
def test_bad_bytes_are_quarantined_with_a_reason(
    app: FastAPI, client: TestClient, tenant: Tenant, name: str, data: bytes, reason: str | None
) -> None:
    image = upload(app, client, tenant.server, data, file_name=f"{name}.png")
    assert image["status"] == "QUARANTINE", image
    assert image["is_directly_deliverable"] is False
    assert image["processed_metadata_at"] is not None
    stored = _record(app, image["id"])
    assert stored.quarantine_reason
    if reason:
        assert stored.quarantine_reason.startswith(reason), stored.quarantine_reason


def test_a_type_the_key_does_not_allow_is_refused_on_upload(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    key = client.post(
        "/api/v1/api_keys/",
        json={
            "name": "png only",
            "key_type": "CLIENT",
            "allow_unsigned_upload": True,
            "allowed_mime_types": ["image/png"],
        },
        headers=tenant.admin,
    ).json()
    headers = {"Authorization": f"Bearer {key['client_key']}"}
    declared = client.post(
        "/api/v1/images/standard_upload",
        json={"file_name": "a.jpg", "mime_type": "image/jpeg"},
        headers=headers,
    )
    assert declared.status_code == 422
    assert declared.json()["detail"][0]["loc"] == ["body", "mime_type"]

    created = client.post(
        "/api/v1/images/standard_upload", json={"file_name": "a.png"}, headers=headers
    ).json()
    from tests.images.helpers import put

    refused = put(client, created["upload_url"], jpeg())
    assert refused.status_code == 400
    assert "image/jpeg" in refused.json()["detail"]
    assert put(client, created["upload_url"], png()).status_code == 200


def _record(app: FastAPI, image_id: str) -> object:
    import uuid

    from imgwired.db.models import Image

    with app.state.services.database.reading() as session:
        return session.get(Image, uuid.UUID(image_id))
