"""The ``/api/v1/images`` operations of the contract, as ``Call`` values for both clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from imgwired.client._calls import Call, model, page_of, segment, strings
from imgwired.client.models import BulkDownloadJob, Image, StandardUpload, UploadToken
from imgwired.client.pagination import Page

BASE = "/api/v1/images"

ImageId = uuid.UUID | str
Metadata = Mapping[str, str | int | float | bool]


def list_images(page: int | None, limit: int | None) -> Call[Page[Image]]:
    return Call("GET", f"{BASE}/", page_of(Image, page), params={"page": page, "limit": limit})


def retrieve(image_id: ImageId) -> Call[Image]:
    return Call("GET", f"{BASE}/{segment(image_id)}", model(Image))


def create(
    *,
    file_name: str,
    content_length: int | None,
    mime_type: str | None,
    hash_sha256: str | None,
    idempotency_key: str | None,
    custom_metadata: Metadata | None,
    purpose: str | None,
    upload_token: str | None,
) -> Call[StandardUpload]:
    body = _present(
        file_name=file_name,
        content_length=content_length,
        mime_type=mime_type,
        hash_sha256=hash_sha256,
        idempotency_key=idempotency_key,
        custom_metadata=dict(custom_metadata) if custom_metadata is not None else None,
        purpose=purpose,
    )
    return Call(
        "POST",
        f"{BASE}/standard_upload",
        _standard_upload,
        params={"upload_token": upload_token},
        json=body,
        has_idempotency_key=idempotency_key is not None,
    )


def upload_via_url(
    *,
    url: str,
    file_name: str | None,
    mime_type: str | None,
    idempotency_key: str | None,
    custom_metadata: Metadata | None,
    purpose: str | None,
) -> Call[Image]:
    body = _present(
        url=url,
        file_name=file_name,
        mime_type=mime_type,
        idempotency_key=idempotency_key,
        custom_metadata=dict(custom_metadata) if custom_metadata is not None else None,
        purpose=purpose,
    )
    return Call(
        "POST",
        f"{BASE}/upload_via_url",
        model(Image),
        json=body,
        has_idempotency_key=idempotency_key is not None,
    )


def create_upload_token() -> Call[UploadToken]:
    return Call("POST", f"{BASE}/token", model(UploadToken))


def delete(image_id: ImageId) -> Call[dict[str, str]]:
    return Call("DELETE", f"{BASE}/{segment(image_id)}", strings)


def bulk_delete(image_ids: Iterable[ImageId]) -> Call[dict[str, str]]:
    return Call("POST", f"{BASE}/bulk_delete", strings, json={"image_ids": _ids(image_ids)})


def create_bulk_download_job(image_ids: Iterable[ImageId]) -> Call[BulkDownloadJob]:
    body = {"image_ids": _ids(image_ids)}
    return Call("POST", f"{BASE}/downloads", model(BulkDownloadJob), json=body)


def retrieve_bulk_download_job(job_id: uuid.UUID | str) -> Call[BulkDownloadJob]:
    return Call("GET", f"{BASE}/downloads/{segment(job_id)}", model(BulkDownloadJob))


def _standard_upload(response: httpx.Response) -> StandardUpload:
    body = response.json()
    return StandardUpload(Image.model_validate(body["image"]), str(body["upload_url"]))


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that were given; the server takes an absent field as its default."""
    return {name: value for name, value in fields.items() if value is not None}


def _ids(image_ids: Iterable[ImageId]) -> list[str]:
    if isinstance(image_ids, str | uuid.UUID):
        raise TypeError("give a list of image ids, not a single id")
    return [str(image_id) for image_id in image_ids]
