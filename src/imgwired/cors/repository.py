"""Queries over CORS origins, policies, rejections and the revision counters."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from imgwired.db.engine import Session
from imgwired.db.models import CorsOrigin, CorsPolicyRecord, CorsRejection, Environment
from imgwired.db.paging import paginate
from imgwired.pagination import Page, PageRequest


@dataclass(frozen=True, slots=True)
class RejectionCount:
    environment_id: uuid.UUID
    endpoint: str
    origin: str
    reason: str
    count: int
    first_seen_at: datetime
    last_seen_at: datetime


def list_origins(
    session: Session, environment_id: uuid.UUID, request: PageRequest
) -> Page[CorsOrigin]:
    query = select(CorsOrigin).where(CorsOrigin.environment_id == environment_id)
    return paginate(session, query.order_by(CorsOrigin.id.desc()), request)


def get_origin(
    session: Session, environment_id: uuid.UUID, origin_id: uuid.UUID
) -> CorsOrigin | None:
    query = select(CorsOrigin).where(
        CorsOrigin.environment_id == environment_id, CorsOrigin.id == origin_id
    )
    return session.scalars(query).first()


def patterns_of(session: Session, environment_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """(id, stored pattern) of each of the environment's origins, oldest first."""
    query = select(CorsOrigin.id, CorsOrigin.pattern).where(
        CorsOrigin.environment_id == environment_id
    )
    return [(row.id, row.pattern) for row in session.execute(query.order_by(CorsOrigin.id))]


def count_origins(session: Session, environment_id: uuid.UUID) -> int:
    query = select(func.count()).where(CorsOrigin.environment_id == environment_id)
    return int(session.scalar(query) or 0)


def pattern_taken(
    session: Session, environment_id: uuid.UUID, pattern: str, *, excluding: uuid.UUID | None
) -> bool:
    query = select(CorsOrigin.id).where(
        CorsOrigin.environment_id == environment_id, CorsOrigin.pattern == pattern
    )
    if excluding is not None:
        query = query.where(CorsOrigin.id != excluding)
    return session.scalars(query.limit(1)).first() is not None


def get_policy(session: Session, environment_id: uuid.UUID) -> CorsPolicyRecord | None:
    return session.get(CorsPolicyRecord, environment_id)


def bump_revision(session: Session, environment_id: uuid.UUID) -> None:
    session.execute(
        update(Environment)
        .where(Environment.id == environment_id)
        .values(cors_revision=Environment.cors_revision + 1)
    )


def revisions(session: Session) -> dict[uuid.UUID, int]:
    """The CORS revision of every live environment."""
    query = select(Environment.id, Environment.cors_revision).where(
        Environment.deleted_at.is_(None)
    )
    return {row.id: row.cors_revision for row in session.execute(query)}


def add_rejections(session: Session, counts: Iterable[RejectionCount]) -> None:
    """Add counts to the stored totals, creating rows as needed (one statement per key)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for item in counts:
        statement = insert(CorsRejection).values(
            id=uuid.uuid4(),
            environment_id=item.environment_id,
            endpoint=item.endpoint,
            origin=item.origin,
            reason=item.reason,
            count=item.count,
            first_seen_at=item.first_seen_at,
            last_seen_at=item.last_seen_at,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["environment_id", "endpoint", "origin"],
            set_={
                "count": CorsRejection.count + statement.excluded.count,
                "last_seen_at": statement.excluded.last_seen_at,
                "reason": statement.excluded.reason,
            },
        )
        session.execute(statement)


def rejected_origin_count(session: Session, environment_id: uuid.UUID) -> int:
    query = select(func.count()).where(CorsRejection.environment_id == environment_id)
    return int(session.scalar(query) or 0)


def list_rejections(
    session: Session, environment_id: uuid.UUID, request: PageRequest
) -> Page[CorsRejection]:
    query = (
        select(CorsRejection)
        .where(CorsRejection.environment_id == environment_id)
        .order_by(CorsRejection.last_seen_at.desc(), CorsRejection.id.desc())
    )
    return paginate(session, query, request)
