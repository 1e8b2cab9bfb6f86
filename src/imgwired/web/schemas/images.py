"""Image shapes from the contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from imgwired.db.base import utcnow
from imgwired.db.models import Image, ImageDownloadStatus, ImageStatus
from imgwired.media_types import SupportedMimeType
from imgwired.web.schemas.base import RequestSchema, ResponseSchema

MetadataValue = str | int | float | bool
ShortText = Annotated[str, Field(min_length=1, max_length=255)]


class StandardUploadCreateSchema(RequestSchema):
    file_name: Annotated[str, Field(min_length=1, title="File Name")]
    content_length: Annotated[int, Field(ge=0)] | None = Field(default=None, title="Content Length")
    custom_metadata: dict[str, MetadataValue] = Field(default_factory=dict, title="Custom Metadata")
    hash_sha256: ShortText | None = Field(default=None, title="Hash Sha256")
    idempotency_key: ShortText | None = Field(default=None, title="Idempotency Key")
    mime_type: SupportedMimeType | None = None
    purpose: ShortText | None = Field(default=None, title="Purpose")


class ImageSchema(ResponseSchema):
    id: uuid.UUID
    environment_id: uuid.UUID | None
    upload_token_id: uuid.UUID | None
    original_filename: str
    hash_sha256: str | None
    status: ImageStatus
    cdn_url: str
    mime_type: SupportedMimeType
    can_upload: bool
    is_directly_deliverable: bool
    idempotency_key: str | None
    purpose: str | None
    extension: str
    width: int
    height: int
    size_bytes: int
    custom_metadata: dict[str, MetadataValue]
    exif_data: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    processed_metadata_at: datetime | None
    quarantine_reason: str | None = Field(
        default=None,
        description="Ours: why processing refused the image, when its status is QUARANTINE.",
    )

    @classmethod
    def of(cls, image: Image, cdn_url: str) -> ImageSchema:
        can_upload = image.accepts_upload(utcnow())
        return cls(
            id=image.id,
            environment_id=image.environment_id,
            upload_token_id=image.upload_token_id,
            original_filename=image.original_filename,
            hash_sha256=image.content_sha256 or image.hash_sha256,
            status=ImageStatus(image.status),
            cdn_url=cdn_url,
            mime_type=SupportedMimeType(image.mime_type),
            can_upload=can_upload,
            is_directly_deliverable=image.is_directly_deliverable,
            idempotency_key=image.idempotency_key,
            purpose=image.purpose,
            extension=image.extension,
            width=image.width,
            height=image.height,
            size_bytes=image.size_bytes,
            custom_metadata=dict(image.custom_metadata),
            exif_data=dict(image.exif_data),
            created_at=image.created_at,
            updated_at=image.updated_at,
            deleted_at=image.deleted_at,
            processed_metadata_at=image.processed_metadata_at,
            quarantine_reason=image.quarantine_reason
            if image.status == ImageStatus.QUARANTINE
            else None,
        )


class StandardUploadResponseSchema(ResponseSchema):
    image: ImageSchema
    upload_url: str


class BulkDeleteImagesSchema(RequestSchema):
    image_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000, title="Image Ids")]


class UploadTokenCreateResponseSchema(ResponseSchema):
    id: uuid.UUID
    environment_id: uuid.UUID
    used_at: datetime | None
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    token: str


class UploadViaUrlCreateSchema(RequestSchema):
    url: Annotated[
        str, Field(min_length=1, max_length=2048, title="Url", json_schema_extra={"format": "uri"})
    ]
    file_name: Annotated[str, Field(min_length=1)] | None = Field(default=None, title="File Name")
    custom_metadata: dict[str, MetadataValue] = Field(default_factory=dict, title="Custom Metadata")
    idempotency_key: ShortText | None = Field(default=None, title="Idempotency Key")
    mime_type: SupportedMimeType | None = None
    purpose: ShortText | None = Field(default=None, title="Purpose")


class ImageDownloadJobCreateSchema(RequestSchema):
    image_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000, title="Image Ids")]


class ImageDownloadJobSchema(ResponseSchema):
    id: uuid.UUID
    environment_id: uuid.UUID | None
    status: ImageDownloadStatus
    image_ids: list[uuid.UUID]
    download_url: str | None
    created_at: datetime
    updated_at: datetime
