"""The job table as a queue: enqueue inside a caller's transaction, claim with a lease, finish.

A claimed job carries a lease; a worker that dies leaves it RUNNING with an expired lease, and
the next claim takes it again, so a restart resumes every job that was under way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import Job, JobStatus

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempts: int


def enqueue(session: Session, kind: str, **payload: Any) -> Job:
    """Add a job in the caller's transaction: it exists exactly when the caller's change does."""
    job = Job(kind=kind, payload=payload)
    session.add(job)
    return job


def claim(database: Database) -> ClaimedJob | None:
    """Take the oldest runnable job (queued, or running with an expired lease), if any."""
    now = utcnow()
    with database.transaction() as session:
        runnable = (
            select(Job)
            .where(
                or_(
                    (Job.status == JobStatus.QUEUED) & (Job.run_after <= now),
                    (Job.status == JobStatus.RUNNING) & (Job.lease_expires_at < now),
                )
            )
            .order_by(Job.run_after, Job.id)
            .limit(1)
        )
        if database.dialect == "postgresql":
            # Several workers claim at once; each skips rows another is taking.
            runnable = runnable.with_for_update(skip_locked=True)
        job = session.scalars(runnable).first()
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.lease_expires_at = now + LEASE
        return ClaimedJob(job.id, job.kind, dict(job.payload), job.attempts)


def complete(database: Database, job_id: uuid.UUID) -> None:
    with database.transaction() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status=JobStatus.DONE, lease_expires_at=None, updated_at=utcnow())
        )


def fail(database: Database, job: ClaimedJob, error: str) -> None:
    """Retry later with backoff, or give up after MAX_ATTEMPTS."""
    now = utcnow()
    final = job.attempts >= MAX_ATTEMPTS
    values: dict[str, Any] = {
        "status": JobStatus.FAILED if final else JobStatus.QUEUED,
        "last_error": error[:2048],
        "lease_expires_at": None,
        "run_after": now + timedelta(seconds=2**job.attempts),
        "updated_at": now,
    }
    with database.transaction() as session:
        session.execute(update(Job).where(Job.id == job.id).values(**values))
