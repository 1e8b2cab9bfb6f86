"""Hourly usage rows: counts are added with an upsert, so processes never overwrite each other."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from imgwired.db.engine import Session
from imgwired.db.models import Environment, Image, Job, JobStatus, UsageHour

COUNTERS = (
    "uploads",
    "transformations",
    "requests",
    "transfer_bytes",
    "cache_hits",
    "cache_misses",
    "storage_bytes_added",
    "storage_bytes_removed",
)


def add_usage(
    session: Session, environment_id: uuid.UUID, hour: datetime, counts: Mapping[str, int]
) -> None:
    """Add ``counts`` to the row of (environment, hour), creating it at zero first if need be."""
    values = {name: int(counts.get(name, 0)) for name in COUNTERS}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(UsageHour).values(environment_id=environment_id, hour=hour, **values)
    columns = UsageHour.__table__.c
    statement = statement.on_conflict_do_update(
        index_elements=[columns.environment_id, columns.hour],
        set_={name: columns[name] + statement.excluded[name] for name in COUNTERS},
    )
    session.execute(statement)


def hours_between(
    session: Session, environment_id: uuid.UUID, start: datetime, end: datetime
) -> list[UsageHour]:
    """The rows of ``environment_id`` whose hour is in [start, end), oldest first."""
    return list(
        session.scalars(
            select(UsageHour)
            .where(
                UsageHour.environment_id == environment_id,
                UsageHour.hour >= start,
                UsageHour.hour < end,
            )
            .order_by(UsageHour.hour)
        )
    )


def storage_before(session: Session, environment_id: uuid.UUID, moment: datetime) -> int:
    """Bytes stored at ``moment``: everything added before it minus everything removed."""
    added, removed = session.execute(
        select(
            func.coalesce(func.sum(UsageHour.storage_bytes_added), 0),
            func.coalesce(func.sum(UsageHour.storage_bytes_removed), 0),
        ).where(UsageHour.environment_id == environment_id, UsageHour.hour < moment)
    ).one()
    return int(added) - int(removed)


# -- the operator's totals (Prometheus) -----------------------------------------------------------


def environment_names(session: Session) -> dict[uuid.UUID, str]:
    """Every environment's name, deleted ones included (their counts still show)."""
    return {row[0]: row[1] for row in session.execute(select(Environment.id, Environment.name))}


def usage_totals(session: Session) -> list[Any]:
    """Per environment: its id, then the all-time sum of each of ``COUNTERS`` in order."""
    sums = [func.coalesce(func.sum(getattr(UsageHour, name)), 0) for name in COUNTERS]
    query = select(UsageHour.environment_id, *sums).group_by(UsageHour.environment_id)
    return list(session.execute(query).all())


def live_images_by_status(session: Session) -> list[Any]:
    """(environment id, status, count) of the images not deleted."""
    query = (
        select(Image.environment_id, Image.status, func.count())
        .where(Image.deleted_at.is_(None))
        .group_by(Image.environment_id, Image.status)
    )
    return list(session.execute(query).all())


def jobs_by_status(session: Session) -> list[Any]:
    """(status, count) of the job table."""
    return list(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())


def unfinished_jobs_by_kind(session: Session) -> list[Any]:
    """(kind, status, count) of the jobs queued or running."""
    query = (
        select(Job.kind, Job.status, func.count())
        .where(Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
        .group_by(Job.kind, Job.status)
    )
    return list(session.execute(query).all())


def oldest_runnable_job(session: Session, now: datetime) -> datetime | None:
    """Since when the longest-waiting queued job could have run (a retry waits out its backoff
    first); None when no queued job is due."""
    query = select(func.min(Job.run_after)).where(
        Job.status == JobStatus.QUEUED, Job.run_after <= now
    )
    found: datetime | None = session.execute(query).scalar_one()
    return found
