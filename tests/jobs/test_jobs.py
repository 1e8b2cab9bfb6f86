"""Durable jobs: retries with backoff, giving up, and leases that heartbeats keep and crashes
lose."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import update

from imgwired.config import Settings
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import Job, JobStatus
from imgwired.jobs import queue
from imgwired.jobs.runner import JobRunner

T = TypeVar("T")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def test_a_failed_job_is_retried_with_a_growing_backoff(database: Database) -> None:
    failures = iter(["disk full", "still full"])

    def flaky(payload: dict[str, Any]) -> None:
        reason = next(failures, None)
        if reason:
            raise RuntimeError(reason)

    runner = JobRunner(database, poll_seconds=1)
    runner.register("flaky", flaky)
    job_id = _enqueue(database, "flaky")

    assert runner.run_one() is True
    job = _job(database, job_id)
    assert (job.status, job.attempts, job.last_error) == (
        JobStatus.QUEUED,
        1,
        "RuntimeError: disk full",
    )
    assert job.run_after - job.updated_at == timedelta(seconds=2)
    assert runner.run_pending() == 0  # not before its backoff is over

    _make_due(database, job_id)
    assert runner.run_pending() == 1
    assert _job(database, job_id).run_after - _job(database, job_id).updated_at == timedelta(
        seconds=4
    )
    _make_due(database, job_id)
    assert runner.run_pending() == 1
    job = _job(database, job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 3)


def test_a_job_that_keeps_failing_is_given_up_after_five_attempts(database: Database) -> None:
    def broken(payload: dict[str, Any]) -> None:
        raise ValueError("bad payload")

    runner = JobRunner(database, poll_seconds=1)
    runner.register("broken", broken)
    job_id = _enqueue(database, "broken")
    for _ in range(queue.MAX_ATTEMPTS):
        assert runner.run_one() is True
        _make_due(database, job_id)

    job = _job(database, job_id)
    assert (job.status, job.attempts) == (JobStatus.FAILED, queue.MAX_ATTEMPTS)
    assert job.last_error == "ValueError: bad payload"
    assert runner.run_pending() == 0  # given up: never claimed again


def test_a_job_of_an_unknown_kind_fails_rather_than_vanishing(database: Database) -> None:
    job_id = _enqueue(database, "from_a_newer_version")
    assert JobRunner(database, poll_seconds=1).run_one() is True
    job = _job(database, job_id)
    assert job.status is JobStatus.QUEUED
    assert job.last_error is not None and "no handler" in job.last_error


def test_a_running_job_keeps_its_lease_for_as_long_as_it_runs(database: Database) -> None:
    lease = 1.5  # long enough that a loaded machine renews it in time
    started, finish = threading.Event(), threading.Event()

    def slow(payload: dict[str, Any]) -> None:
        started.set()
        assert finish.wait(10)

    runner = JobRunner(database, poll_seconds=1, lease_seconds=lease)
    runner.register("slow", slow)
    job_id = _enqueue(database, "slow")
    worker = threading.Thread(target=runner.run_one)
    worker.start()
    try:
        assert started.wait(10)
        first_lease = _job(database, job_id).lease_expires_at
        assert first_lease is not None
        # Well past its first lease, nobody can take the job: the heartbeat renewed it.
        _wait_until(lambda: utcnow() > first_lease + timedelta(seconds=2 * lease))
        assert queue.claim(database) is None
        renewed = _job(database, job_id).lease_expires_at
        assert renewed is not None and renewed > first_lease
    finally:
        finish.set()
        worker.join(10)
    job = _job(database, job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


def test_the_job_of_a_dead_worker_is_taken_over_once_its_lease_lapses(database: Database) -> None:
    job_id = _enqueue(database, "work")
    # A worker claims the job and dies: no heartbeat renews its lease.
    dead = queue.claim(database, lease=timedelta(seconds=0.3))
    assert dead is not None and dead.id == job_id
    assert queue.claim(database) is None

    began = time.monotonic()
    taken = _wait_until(lambda: queue.claim(database))
    assert time.monotonic() - began < 5
    assert taken.id == job_id and taken.attempts == 2

    # Should the dead worker come back, its claim no longer counts.
    assert queue.complete(database, dead) is False
    assert queue.renew(database, dead) is False
    assert _job(database, job_id).status is JobStatus.RUNNING
    assert queue.complete(database, taken) is True
    assert _job(database, job_id).status is JobStatus.DONE


def test_by_default_a_crashed_workers_job_resumes_within_half_a_minute() -> None:
    # Taken over after one lease, plus a poll of the surviving workers.
    settings = Settings()
    assert settings.job_lease_seconds + settings.job_poll_seconds <= 30
    assert queue.LEASE.total_seconds() + settings.job_poll_seconds <= 30


# -- helpers ---------------------------------------------------------------------------------------


def _enqueue(database: Database, kind: str) -> uuid.UUID:
    with database.transaction() as session:
        job = queue.enqueue(session, kind, n=1)
        session.flush()
        return job.id


def _job(database: Database, job_id: uuid.UUID) -> Job:
    with database.reading() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _make_due(database: Database, job_id: uuid.UUID) -> None:
    """Let the backoff pass, without waiting for it."""
    with database.transaction() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(run_after=utcnow() - timedelta(seconds=1))
        )


def _wait_until(condition: Callable[[], T | bool | None], timeout: float = 10) -> T:
    """The first true value of ``condition``, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return value  # type: ignore[return-value]
