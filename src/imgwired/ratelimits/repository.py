"""Queries over the environments' own rate limits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select

from imgwired.db.engine import Session
from imgwired.db.models import EnvironmentRateLimits

# The stored pair of each limit: (requests per second, burst).
Overrides = Mapping[str, tuple[float, int] | None]


def overrides_of(session: Session, environment_id: uuid.UUID) -> dict[str, tuple[float, int]]:
    """The limits ``environment_id`` sets itself, by policy name; others keep the default."""
    row = session.scalars(
        select(EnvironmentRateLimits).where(EnvironmentRateLimits.environment_id == environment_id)
    ).first()
    found: dict[str, tuple[float, int]] = {}
    if row is None:
        return found
    for policy in ("key", "ip", "render"):
        per_second = getattr(row, f"{policy}_per_second")
        burst = getattr(row, f"{policy}_burst")
        if per_second is not None and burst is not None:
            found[policy] = (per_second, burst)
    return found


def save_overrides(session: Session, environment_id: uuid.UUID, changes: Overrides) -> None:
    """Set (a pair) or clear (``None``) the named limits; unnamed ones stay as they are."""
    row = session.get(EnvironmentRateLimits, environment_id)
    if row is None:
        row = EnvironmentRateLimits(environment_id=environment_id)
        session.add(row)
    for policy, pair in changes.items():
        per_second, burst = pair if pair is not None else (None, None)
        setattr(row, f"{policy}_per_second", per_second)
        setattr(row, f"{policy}_burst", burst)
