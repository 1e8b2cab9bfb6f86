"""ORM models: the organization, its environments and their API keys."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
