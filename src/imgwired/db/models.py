"""ORM models: the organization, its environments, their API keys, CORS configuration, usage,
jobs and custom domains; the image tables are in ``image_models.py`` and named here too."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from imgwired.db.base import Base, TimestampedMixin, UTCDateTime, utcnow, uuid7

# The image tables live in image_models.py (this module would pass 400 lines); named here too,
# so every ORM model is imported from one place.
from imgwired.db.image_models import (
    DerivedImage,
    Image,
    ImageDownloadJob,
    ImageDownloadStatus,
    ImageList,
    ImageListBlock,
    ImageStatus,
    RenderLease,
    UploadRefusal,
    UploadToken,
)
from imgwired.db.rate_limit_models import EnvironmentRateLimits
from imgwired.db.session_models import DashboardSession, SessionKind

__all__ = [
    "ApiKey",
    "ApiKeyType",
    "CorsOrigin",
    "CorsPolicyRecord",
    "CorsRejection",
    "CustomDomain",
    "CustomDomainCertificateStatus",
    "CustomDomainStatus",
    "DashboardSession",
    "DerivedImage",
    "Environment",
    "EnvironmentRateLimits",
    "Image",
    "ImageDownloadJob",
    "ImageDownloadStatus",
    "ImageList",
    "ImageListBlock",
    "ImageStatus",
    "Job",
    "JobStatus",
    "Organization",
    "RenderLease",
    "SessionKind",
    "TimestampedMixin",
    "UploadRefusal",
    "UploadToken",
    "UsageHour",
]


class ApiKeyType(enum.StrEnum):
    CLIENT = "CLIENT"
    SERVER = "SERVER"


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
