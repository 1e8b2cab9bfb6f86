"""API key shapes from the full contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from imgwired.accounts.api_keys import (
    MAX_MIME_TYPES,
    MAX_PENDING_UPLOADS,
    MAX_SCOPES,
    MAX_UPLOAD_BYTES,
    MIN_PENDING_UPLOADS,
    MIN_UPLOAD_BYTES,
)
from imgwired.db.models import ApiKey, ApiKeyType
from imgwired.web.schemas.base import RequestSchema, ResponseSchema
from imgwired.web.schemas.environments import UnicodeText, name_schema


def _strings(most: int) -> dict[str, Any]:
    return {"items": {"type": "string"}, "type": "array", "maxItems": most}


# The bounds below are the key service's rules (accounts/api_keys.py), which the CLI meets too:
# the schema documents them and leaves the checking, and its sentence, to the service.
KeyName = Annotated[UnicodeText, name_schema(), Field(title="Name")]
UploadBytes = Annotated[
    int,
    WithJsonSchema({"type": "integer", "maximum": MAX_UPLOAD_BYTES, "minimum": MIN_UPLOAD_BYTES}),
]
PendingUploads = Annotated[
    int,
    WithJsonSchema(
        {"type": "integer", "maximum": MAX_PENDING_UPLOADS, "minimum": MIN_PENDING_UPLOADS}
    ),
]
Scopes = Annotated[list[str], WithJsonSchema(_strings(MAX_SCOPES))]
MimeTypes = Annotated[list[str], WithJsonSchema(_strings(MAX_MIME_TYPES))]


class ApiKeyCreateSchema(RequestSchema):
    name: KeyName
    key_type: ApiKeyType
    scopes: Scopes = Field(default_factory=list, title="Scopes")
    allow_unsigned_upload: bool | None = Field(default=None, title="Allow Unsigned Upload")
    maximum_upload_bytes: UploadBytes | None = Field(default=None, title="Maximum Upload Bytes")
    allowed_mime_types: MimeTypes | None = Field(default=None, title="Allowed Mime Types")
    maximum_pending_uploads: PendingUploads | None = Field(
        default=None, title="Maximum Pending Uploads"
    )


class ApiKeyUpdateSchema(RequestSchema):
    name: KeyName | None = None
    scopes: Scopes | None = None
    allow_unsigned_upload: bool | None = None
    maximum_upload_bytes: UploadBytes | None = None
    allowed_mime_types: MimeTypes | None = None
    maximum_pending_uploads: PendingUploads | None = None


class ApiKeyListItemSchema(ResponseSchema):
    """A key as shown after creation: its secret masked to prefix and last four characters."""

    id: uuid.UUID
    environment_id: uuid.UUID
    name: str
    key_type: ApiKeyType
    client_key: str | None
    server_key: str | None
    allow_unsigned_upload: bool | None = None
    maximum_upload_bytes: int | None = None
    allowed_mime_types: list[str] | None = None
    maximum_pending_uploads: int | None = None
    scopes: list[str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyListItemSchema:
        server = key.key_type is ApiKeyType.SERVER
        return cls(
            **_common_fields(key),
            client_key=None if server else key.masked(),
            server_key=key.masked() if server else None,
        )


class ApiKeyCreateResponseSchema(ResponseSchema):
    """A key just created: the only response that carries its whole secret."""

    id: uuid.UUID
    environment_id: uuid.UUID
    name: str
    key_type: ApiKeyType
    client_key: str | None
    server_key_last4: str | None
    allow_unsigned_upload: bool | None = None
    maximum_upload_bytes: int | None = None
    allowed_mime_types: list[str] | None = None
    maximum_pending_uploads: int | None = None
    scopes: list[str]
    created_at: datetime
    updated_at: datetime
    server_key: str | None

    @classmethod
    def of(cls, key: ApiKey, secret: str) -> ApiKeyCreateResponseSchema:
        server = key.key_type is ApiKeyType.SERVER
        return cls(
            **_common_fields(key),
            client_key=None if server else secret,
            server_key=secret if server else None,
            server_key_last4=key.secret_last4 if server else None,
        )


def _common_fields(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.id,
        "environment_id": key.environment_id,
        "name": key.name,
        "key_type": key.key_type,
        "scopes": list(key.scopes),
        "created_at": key.created_at,
        "updated_at": key.updated_at,
        **key.client_settings(),
    }
