"""Queries over custom domains."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from imgwired.db.engine import Session
from imgwired.db.models import CustomDomain, CustomDomainStatus, Environment


def get_for_environment(session: Session, environment_id: uuid.UUID) -> CustomDomain | None:
    query = select(CustomDomain).where(CustomDomain.environment_id == environment_id)
    return session.scalars(query).first()


def get_by_hostname(session: Session, hostname: str) -> tuple[CustomDomain, bool] | None:
    """The domain with this hostname and whether its environment is live (not soft-deleted)."""
    query = (
        select(CustomDomain, Environment.deleted_at.is_(None))
        .join(Environment, Environment.id == CustomDomain.environment_id)
        .where(CustomDomain.hostname == hostname)
    )
    row = session.execute(query).first()
    return None if row is None else (row[0], bool(row[1]))


def connected(session: Session) -> list[tuple[str, uuid.UUID, uuid.UUID]]:
    """(hostname, organization id, environment id) of every CONNECTED domain of a live
    environment."""
    query = (
        select(CustomDomain.hostname, Environment.organization_id, Environment.id)
        .join(Environment, Environment.id == CustomDomain.environment_id)
        .where(
            CustomDomain.status == CustomDomainStatus.CONNECTED,
            Environment.deleted_at.is_(None),
        )
    )
    return [(hostname, org, env) for hostname, org, env in session.execute(query)]
