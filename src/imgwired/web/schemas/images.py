"""Image shapes from the contract."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from imgwired.media_types import SupportedMimeType
from imgwired.web.schemas.base import RequestSchema, ResponseSchema

MetadataValue = str | int | float | bool
ShortText = Annotated[str, Field(min_length=1, max_length=255)]


class ImageStatus(enum.StrEnum):
    """Represents the processing state for an image."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    QUARANTINE = "QUARANTINE"


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


class StandardUploadResponseSchema(ResponseSchema):
    image: ImageSchema
    upload_url: str
