"""Dashboard sessions: a signed-in browser, stored by the hash of its cookie."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from imgwired.db.base import Base, UTCDateTime, utcnow, uuid7


class SessionKind(enum.StrEnum):
    # Signed in with the admin token: every environment, as the admin token.
    ADMIN = "ADMIN"
    # Signed in with a server key: its environment only, as the key.
    SERVER = "SERVER"


class DashboardSession(Base):
    """One signed-in browser. The cookie's secret is never stored, only its sha256; a session
    made with a server key ends when the key is revoked (``api_key_id`` is checked on each use).
    """

    __tablename__ = "dashboard_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SessionKind] = mapped_column(
        Enum(SessionKind, name="dashboard_session_kind", native_enum=False, length=16)
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), default=None
    )
    # The key's environment for a server-key session; the last one chosen for an admin session.
    environment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("environments.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
