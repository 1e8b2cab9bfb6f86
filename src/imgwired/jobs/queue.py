"""The job table as a queue: enqueue inside a caller's transaction, claim with a lease, finish.

A claimed job carries a short lease that its worker renews while the handler runs (see
``runner.py``). A worker that dies stops renewing: the lease lapses within seconds and the next
claim takes the job again, so the work of a crashed process resumes elsewhere. Each claim counts
an attempt, and the attempt number fences the claim: a worker whose lease lapsed and whose job
was claimed again can no longer renew, complete or fail it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Update, or_, select, update
from sqlalchemy.orm import Session

from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import Job, JobStatus

LEASE = timedelta(seconds=15)
MAX_ATTEMPTS = 5
# Retry n waits 2**n seconds (2, 4, 8, 16 for five attempts), never more than this.
MAX_BACKOFF = timedelta(minutes=10)


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


def claim(database: Database, *, lease: timedelta = LEASE) -> ClaimedJob | None:
    """Take the oldest runnable job (queued, or running with a lapsed lease), if any."""
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
        job.lease_expires_at = now + lease
        return ClaimedJob(job.id, job.kind, dict(job.payload), job.attempts)


def renew(database: Database, job: ClaimedJob, *, lease: timedelta = LEASE) -> bool:
    """Extend the lease of a job still held by this claim; False if it was lost."""
    now = utcnow()
    with database.transaction() as session:
        renewed = session.execute(_held(job).values(lease_expires_at=now + lease, updated_at=now))
    return renewed.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def complete(database: Database, job: ClaimedJob) -> bool:
    """Mark the job done; False (and nothing changed) if this claim no longer holds it."""
    with database.transaction() as session:
        done = session.execute(
            _held(job).values(status=JobStatus.DONE, lease_expires_at=None, updated_at=utcnow())
        )
    return done.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def fail(database: Database, job: ClaimedJob, error: str) -> bool:
    """Retry later with backoff, or give up after MAX_ATTEMPTS; False if the claim was lost."""
    now = utcnow()
    final = job.attempts >= MAX_ATTEMPTS
    backoff = min(timedelta(seconds=2**job.attempts), MAX_BACKOFF)
    values: dict[str, Any] = {
        "status": JobStatus.FAILED if final else JobStatus.QUEUED,
        "last_error": error[:2048],
        "lease_expires_at": None,
        "run_after": now + backoff,
        "updated_at": now,
    }
    with database.transaction() as session:
        failed = session.execute(_held(job).values(**values))
    return failed.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def _held(job: ClaimedJob) -> Update:
    """An update of the job's row that matches only while this claim holds it."""
    return update(Job).where(
        Job.id == job.id, Job.status == JobStatus.RUNNING, Job.attempts == job.attempts
    )
