"""An environment's own rate limits, where they differ from the server's defaults."""

from __future__ import annotations

import uuid

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from imgwired.db.base import Base, TimestampedMixin


class EnvironmentRateLimits(TimestampedMixin, Base):
    """One row per environment that overrides a limit; a pair left NULL keeps the default.

    Each limit is a pair (requests per second, burst), set or cleared together.
    """

    __tablename__ = "environment_rate_limits"

    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True
    )
    key_per_second: Mapped[float | None] = mapped_column(Float, default=None)
    key_burst: Mapped[int | None] = mapped_column(Integer, default=None)
    ip_per_second: Mapped[float | None] = mapped_column(Float, default=None)
    ip_burst: Mapped[int | None] = mapped_column(Integer, default=None)
    render_per_second: Mapped[float | None] = mapped_column(Float, default=None)
    render_burst: Mapped[int | None] = mapped_column(Integer, default=None)
