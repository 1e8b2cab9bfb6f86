"""ORM models: the organization, its environments, their API keys and CORS configuration."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from imgwired.db.base import Base, UTCDateTime, utcnow, uuid7


class ApiKeyType(enum.StrEnum):
    CLIENT = "CLIENT"
    SERVER = "SERVER"


class TimestampedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Organization(TimestampedMixin, Base):
    """The one organization of an install; ``init`` creates it."""

    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(String(255))
    # sha256 of the admin token `init` printed; the plaintext is never stored.
    admin_token_hash: Mapped[str] = mapped_column(String(64))
    # Signs upload and download URLs; shared by every process through the database.
    signing_secret: Mapped[str] = mapped_column(String(128), default="", server_default="")


class Environment(TimestampedMixin, Base):
    __tablename__ = "environments"
    __table_args__ = (
        # Names are unique among live environments; a deleted one frees its name.
        Index(
            "uq_environments_live_name",
            "organization_id",
            "name",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    default: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Bumped by every change to the environment's CORS origins or policy; other processes poll
    # it to know when to reload their cached copy.
    cors_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiKey(TimestampedMixin, Base):
    """A server or client key. Only a hash of the secret is kept."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_environment_id_id", "environment_id", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(255))
    key_type: Mapped[ApiKeyType] = mapped_column(
        Enum(ApiKeyType, name="api_key_type", native_enum=False, length=16)
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secret_last4: Mapped[str] = mapped_column(String(4))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    allow_unsigned_upload: Mapped[bool | None] = mapped_column(Boolean, default=None)
    maximum_upload_bytes: Mapped[int | None] = mapped_column(Integer, default=None)
    allowed_mime_types: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    maximum_pending_uploads: Mapped[int | None] = mapped_column(Integer, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    environment: Mapped[Environment] = relationship(lazy="joined", innerjoin=True)

    def masked(self) -> str:
        """How the key is shown after creation: its prefix and last four characters."""
        prefix = "sk_" if self.key_type is ApiKeyType.SERVER else "ck_"
        return f"{prefix}****{self.secret_last4}"

    def client_settings(self) -> dict[str, Any]:
        return {
            "allow_unsigned_upload": self.allow_unsigned_upload,
            "maximum_upload_bytes": self.maximum_upload_bytes,
            "allowed_mime_types": self.allowed_mime_types,
            "maximum_pending_uploads": self.maximum_pending_uploads,
        }


class CorsOrigin(TimestampedMixin, Base):
    """One allowed origin pattern, stored in its normalised form."""

    __tablename__ = "cors_origins"
    __table_args__ = (
        UniqueConstraint("environment_id", "pattern", name="uq_cors_origins_environment_pattern"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE")
    )
    pattern: Mapped[str] = mapped_column(String(2100))


class CorsPolicyRecord(Base):
    """An environment's CORS policy; an environment without a row has the default policy."""

    __tablename__ = "cors_policies"

    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True
    )
    allowed_methods: Mapped[list[str]] = mapped_column(JSON)
    allowed_headers: Mapped[list[str]] = mapped_column(JSON)
    expose_headers: Mapped[list[str]] = mapped_column(JSON)
    max_age: Mapped[int] = mapped_column(Integer)
    allow_credentials: Mapped[bool] = mapped_column(Boolean)
    allow_private_network: Mapped[bool] = mapped_column(Boolean)
    mode: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CorsRejection(Base):
    """How often an origin was refused on one endpoint class of an environment."""

    __tablename__ = "cors_rejections"
    __table_args__ = (
        UniqueConstraint(
            "environment_id", "endpoint", "origin", name="uq_cors_rejections_environment_key"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE")
    )
    endpoint: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(2100))
    reason: Mapped[str] = mapped_column(String(128))
    count: Mapped[int] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ImageStatus(enum.StrEnum):
    """Represents the processing state for an image."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    QUARANTINE = "QUARANTINE"


class UploadToken(TimestampedMixin, Base):
    """A single-use permission to create one standard upload, issued with a server key."""

    __tablename__ = "upload_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Image(TimestampedMixin, Base):
    """An image record; its bytes live in the blob store under ``blob_key``."""

    __tablename__ = "images"
    __table_args__ = (
        Index("ix_images_environment_id_id", "environment_id", "id"),
        # One image per idempotency key and environment, even under concurrent requests.
        Index(
            "uq_images_environment_idempotency_key",
            "environment_id",
            "idempotency_key",
            unique=True,
            sqlite_where=text("idempotency_key IS NOT NULL"),
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
        Index("ix_images_api_key_id_status", "api_key_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE")
    )
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), default=None
    )
    upload_token_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("upload_tokens.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[ImageStatus] = mapped_column(
        Enum(ImageStatus, name="image_status", native_enum=False, length=16),
        default=ImageStatus.PENDING,
    )
    quarantine_reason: Mapped[str | None] = mapped_column(String(255), default=None)
    original_filename: Mapped[str] = mapped_column(String(1024))
    mime_type: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    # Frames and EXIF orientation: with width and height, what a render will cost is known
    # before the bytes are read. NULL for images processed before they were recorded.
    pages: Mapped[int | None] = mapped_column(Integer, default=None)
    orientation: Mapped[int | None] = mapped_column(Integer, default=None)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    is_directly_deliverable: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the client declared; checked against what arrives.
    declared_length: Mapped[int | None] = mapped_column(BigInteger, default=None)
    hash_sha256: Mapped[str | None] = mapped_column(String(255), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    # Limits of the key that created the upload, fixed at creation.
    upload_limit_bytes: Mapped[int] = mapped_column(BigInteger)
    allowed_mime_types: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    purpose: Mapped[str | None] = mapped_column(String(255), default=None)
    custom_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    exif_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    blob_key: Mapped[str | None] = mapped_column(String(512), default=None)
    upload_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The claim of the upload under way: when it began, who holds it, and until when unless
    # renewed. A fetch (upload via URL) claims the record with no lease: for good.
    upload_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    upload_claim_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), default=None)
    upload_lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    processed_metadata_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    # The rule of a free claim, spelled twice side by side: in Python and in SQL.
    def upload_claim_free(self, now: datetime) -> bool:
        """Whether no upload holds the URL at ``now``: none began, or its lease lapsed (the
        process that held it stopped)."""
        lease = self.upload_lease_expires_at
        return self.upload_started_at is None or (lease is not None and lease < now)

    @classmethod
    def upload_claim_free_clause(cls, now: datetime) -> ColumnElement[bool]:
        """``upload_claim_free`` as a SQL condition."""
        return or_(cls.upload_started_at.is_(None), cls.upload_lease_expires_at < now)

    def upload_refusal(self, now: datetime) -> UploadRefusal | None:
        """Why a PUT to the upload URL at ``now`` may not store the bytes (a signed URL aside),
        or None when it may: the one rule of "may this image still receive bytes"."""
        if self.deleted_at is not None:
            return UploadRefusal.DELETED
        if self.status != ImageStatus.PENDING:
            return UploadRefusal.USED
        if self.upload_expires_at <= now:
            return UploadRefusal.EXPIRED
        if not self.upload_claim_free(now):
            return UploadRefusal.IN_PROGRESS
        return None

    def accepts_upload(self, now: datetime) -> bool:
        return self.upload_refusal(now) is None


class UploadRefusal(enum.Enum):
    DELETED = "deleted"
    USED = "used"
    EXPIRED = "expired"
    IN_PROGRESS = "in_progress"


class DerivedImage(TimestampedMixin, Base):
    """One cached rendition of an image: its parameters and output format, stored as a blob."""

    __tablename__ = "derived_images"
    __table_args__ = (UniqueConstraint("image_id", "variant"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    image_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"))
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), index=True
    )
    # A digest of (canonical parameters, output choice): the cache key within the image.
    variant: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(512))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # The image drawn on it as a watermark: its deletion unlists the rendition. No foreign key:
    # images are deleted softly, and the purge job removes the dependants.
    watermark_image_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), index=True, default=None)


class UsageHour(Base):
    """Usage of one environment in one UTC hour; processes add their counts with an upsert."""

    __tablename__ = "usage_hours"

    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    uploads: Mapped[int] = mapped_column(BigInteger, default=0)
    transformations: Mapped[int] = mapped_column(BigInteger, default=0)
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    transfer_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    cache_hits: Mapped[int] = mapped_column(BigInteger, default=0)
    cache_misses: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_bytes_added: Mapped[int] = mapped_column(BigInteger, default=0)
    # Deleted originals: storage at any moment is everything added minus everything removed.
    storage_bytes_removed: Mapped[int] = mapped_column(BigInteger, default=0)


class JobStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class Job(Base):
    """Durable background work; a worker claims it with a lease, so a crash only delays it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, name="job_status", native_enum=False, length=16),
        default=JobStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_error: Mapped[str | None] = mapped_column(String(2048), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ImageDownloadStatus(enum.StrEnum):
    """Represents the download state for a bulk image download job."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


class ImageDownloadJob(TimestampedMixin, Base):
    """A bulk download: a zip of the listed images, built by a job, fetched by a signed URL."""

    __tablename__ = "image_download_jobs"
    __table_args__ = (
        # The zip an identical request may reuse; the zips the expiry sweep deletes.
        Index("ix_image_download_jobs_environment_id_content_key", "environment_id", "content_key"),
        Index("ix_image_download_jobs_expires_at", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), index=True
    )
    image_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[ImageDownloadStatus] = mapped_column(
        Enum(ImageDownloadStatus, name="download_status", native_enum=False, length=16),
        default=ImageDownloadStatus.PENDING,
    )
    blob_key: Mapped[str | None] = mapped_column(String(512), default=None)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    error: Mapped[str | None] = mapped_column(String(1024), default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # A digest of the ids of the images in the zip: equal digests, equal zips.
    content_key: Mapped[str | None] = mapped_column(String(64), default=None)


class CustomDomainStatus(enum.StrEnum):
    """Represents connection status for custom domains."""

    PENDING = "PENDING"
    CONNECTED = "CONNECTED"
    FAILED = "FAILED"


class CustomDomainCertificateStatus(enum.StrEnum):
    """Represents SSL certificate status for custom domains."""

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    FAILING = "FAILING"


class CustomDomain(TimestampedMixin, Base):
    """An environment's own delivery hostname: at most one per environment, each name once."""

    __tablename__ = "custom_domains"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), unique=True
    )
    # Lowercase, punycode, no trailing dot: the form DNS, SNI and Host headers compare against.
    hostname: Mapped[str] = mapped_column(String(253), unique=True)
    status: Mapped[CustomDomainStatus] = mapped_column(
        Enum(CustomDomainStatus, name="custom_domain_status", native_enum=False, length=16),
        default=CustomDomainStatus.PENDING,
    )
    certificate_status: Mapped[CustomDomainCertificateStatus] = mapped_column(
        Enum(
            CustomDomainCertificateStatus,
            name="custom_domain_certificate_status",
            native_enum=False,
            length=16,
        ),
        default=CustomDomainCertificateStatus.PENDING,
    )
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_error: Mapped[str | None] = mapped_column(String(512), default=None)
