"""ORM models of images: upload tokens, images with their upload claim, renditions, and bulk
downloads. Imported through ``db/models.py`` like every other model."""

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
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import ColumnElement

from imgwired.db.base import Base, TimestampedMixin, UTCDateTime, uuid7


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
        # The list's index: live images only, in list order, with the id, so a page's ids are
        # read from the index alone (see ``db/image_lists.py``).
        Index(
            "ix_images_live_list",
            "environment_id",
            "list_seq",
            "id",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # Search (``images/repository.py: search_images``): by the start of the file name, in
        # name order; by status, in list order. Live images only, as the list.
        Index(
            "ix_images_live_name",
            "environment_id",
            "original_filename",
            "id",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_images_live_status",
            "environment_id",
            "status",
            "list_seq",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # The sweep of abandoned uploads looks for live PENDING images past their expiry: the
        # few of them, never the whole table (see ``repository.lock_abandoned_uploads``).
        Index(
            "ix_images_pending_uploads",
            "upload_expires_at",
            sqlite_where=text("status = 'PENDING' AND deleted_at IS NULL"),
            postgresql_where=text("status = 'PENDING' AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE")
    )
    # The image's place in its environment's list: 1, 2, 3... in the order images were created,
    # handed out by the environment's ``ImageList`` row in the inserting transaction.
    list_seq: Mapped[int] = mapped_column(BigInteger)
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


class ImageList(Base):
    """Per environment: how many live images it has, and the last ``list_seq`` handed out.

    Changed in the transaction of every write that adds or retires an image, so the count of a
    list is one row away and always exact."""

    __tablename__ = "image_lists"

    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True
    )
    live_count: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class ImageListBlock(Base):
    """How many live images of an environment have a ``list_seq`` in one block of
    ``LIST_BLOCK_SIZE`` numbers (block ``list_seq // LIST_BLOCK_SIZE``): summing blocks from either
    end of the list finds the block that holds any offset without walking the rows before it."""

    __tablename__ = "image_list_blocks"

    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True
    )
    block: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    live_count: Mapped[int] = mapped_column(BigInteger)


# Part of the stored data (blocks are numbered by it): changing it needs a migration that
# recounts image_list_blocks.
LIST_BLOCK_SIZE = 1024


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


class RenderLease(Base):
    """Which process renders a rendition now, without Redis: one row per rendition being made,
    taken by inserting it (or taking over one whose lease lapsed), deleted by its holder."""

    __tablename__ = "render_leases"

    # ``<image id>/<variant>``: the rendition's identity across processes.
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


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
