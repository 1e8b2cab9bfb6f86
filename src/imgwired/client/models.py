"""The resources the API returns, as frozen pydantic models.

Built from the server's JSON with ``datetime`` and ``uuid`` parsed. Fields the SDK does not know
yet are kept (``model_extra``) rather than refused, and enumerations are plain strings compared
against the ``StrEnum`` constants below, so a newer server never breaks an older SDK.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from imgwired.client._cdn import TransformationValue, transformation_url

__all__ = [
    "BulkDownloadJob",
    "BulkDownloadStatus",
    "CacheHitRatioPoint",
    "CorsOrigin",
    "CustomDomain",
    "CustomDomainStatus",
    "Image",
    "ImageStatus",
    "MetricStat",
    "MetricsDatasets",
    "MetricsStats",
    "RequestsPoint",
    "StandardUpload",
    "StorageBytesPoint",
    "TransferBytesPoint",
    "TransformationsPoint",
    "UploadToken",
    "UploadsPoint",
]

MetadataValue = bool | int | float | str


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class ImageStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    QUARANTINE = "QUARANTINE"


class BulkDownloadStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


class CustomDomainStatus(StrEnum):
    PENDING = "PENDING"
    CONNECTED = "CONNECTED"
    FAILED = "FAILED"


class Image(Model):
    id: uuid.UUID
    environment_id: uuid.UUID | None = None
    upload_token_id: uuid.UUID | None = None
    original_filename: str
    hash_sha256: str | None = None
    status: str
    cdn_url: str
    mime_type: str
    can_upload: bool = False
    is_directly_deliverable: bool = False
    idempotency_key: str | None = None
    purpose: str | None = None
    extension: str = ""
    width: int = 0
    height: int = 0
    size_bytes: int = 0
    custom_metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    exif_data: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    processed_metadata_at: datetime | None = None
    quarantine_reason: str | None = None  # imgwired's own field: why an image was quarantined

    @property
    def is_processed(self) -> bool:
        """Whether processing has decided: ``READY`` or ``QUARANTINE``."""
        return self.status in (ImageStatus.READY, ImageStatus.QUARANTINE)

    def url(self, preset: str | None = None, **transformations: TransformationValue | None) -> str:
        """The CDN URL of this image, e.g. ``image.url(preset="thumbnail", format="webp")``.

        No request is made; see ``docs/transformations.md`` for the parameter names.
        """
        return transformation_url(self.cdn_url, preset, transformations)


class StandardUpload(NamedTuple):
    """What ``images.create`` returns: the ``PENDING`` image and where to PUT its bytes."""

    image: Image
    upload_url: str


class UploadToken(Model):
    id: uuid.UUID
    environment_id: uuid.UUID
    token: str
    used_at: datetime | None = None
    expires_at: datetime
    created_at: datetime
    updated_at: datetime


class BulkDownloadJob(Model):
    id: uuid.UUID
    environment_id: uuid.UUID | None = None
    status: str
    image_ids: list[uuid.UUID]
    download_url: str | None = None
    created_at: datetime
    updated_at: datetime


class CorsOrigin(Model):
    id: uuid.UUID
    environment_id: uuid.UUID
    pattern: str
    created_at: datetime
    updated_at: datetime


class CustomDomain(Model):
    id: uuid.UUID
    environment_id: uuid.UUID
    hostname: str
    cname_record: str
    cname_value: str
    dcv_cname_record: str
    dcv_cname_value: str
    certificate_status: str
    status: str
    last_verified_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class UploadsPoint(Model):
    timestamp: datetime
    uploads: int


class TransformationsPoint(Model):
    timestamp: datetime
    transformations: int


class RequestsPoint(Model):
    timestamp: datetime
    requests: int


class TransferBytesPoint(Model):
    timestamp: datetime
    transfer_bytes: int


class StorageBytesPoint(Model):
    timestamp: datetime
    storage_bytes_current: int
    storage_bytes_added: int


class CacheHitRatioPoint(Model):
    label: str
    value: int


class MetricsDatasets(Model):
    """Chart series over a period: one point per bucket (cache hits: two points in all)."""

    uploads: list[UploadsPoint]
    transformations: list[TransformationsPoint]
    requests: list[RequestsPoint]
    transfer_bytes: list[TransferBytesPoint]
    cache_hit_ratio: list[CacheHitRatioPoint]
    storage_bytes: list[StorageBytesPoint]


class MetricStat(Model):
    value: float
    prev: float
    pct_change: float | None = None


class MetricsStats(Model):
    """Each counter over the period (``value``) and the period before it (``prev``)."""

    uploads: MetricStat
    transformations: MetricStat
    requests: MetricStat
    transfer_bytes: MetricStat
    cache_hit_ratio: MetricStat
    storage_bytes: MetricStat
