"""Runs jobs: one handler per kind, in worker threads, until told to stop; and housekeeping
tasks every so often, which must be safe to run in several processes at once.

While a handler runs, a heartbeat thread renews its job's lease a few times per lease period,
so a lease can be short (a crashed worker's job is taken over soon) without a long job ever
losing it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from imgwired.db.engine import Database
from imgwired.jobs import queue

log = logging.getLogger("imgwired.jobs")

Handler = Callable[[dict[str, Any]], None]
# The lease is renewed this many times per lease period, so one slow renewal does not lose it.
_RENEWALS_PER_LEASE = 3


@dataclass(slots=True)
class _Periodic:
    name: str
    interval: float
    task: Callable[[], object]
    due: float = 0.0


class JobRunner:
    """Claims and runs jobs. ``run_pending`` drains the queue once; ``start`` keeps polling."""

    def __init__(
        self,
        database: Database,
        *,
        poll_seconds: float,
        threads: int = 2,
        lease_seconds: float = queue.LEASE.total_seconds(),
    ) -> None:
        self._db = database
        self._poll = poll_seconds
        self._lease = timedelta(seconds=lease_seconds)
        self._threads_wanted = threads
        self._handlers: dict[str, Handler] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._periodic: list[_Periodic] = []

    def register(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def every(self, seconds: float, name: str, task: Callable[[], object]) -> None:
        """Run ``task`` about every ``seconds`` while started (first soon after the start)."""
        self._periodic.append(_Periodic(name, seconds, task))

    def run_periodic(self, now: float | None = None) -> None:
        """Run the housekeeping tasks that are due; a failure is logged and retried next time."""
        now = time.monotonic() if now is None else now
        for periodic in self._periodic:
            if periodic.due > now:
                continue
            periodic.due = now + periodic.interval
            try:
                periodic.task()
            except Exception:
                log.exception("housekeeping task %s failed", periodic.name)

    def notify(self) -> None:
        """Wake the workers now rather than at their next poll (a job was just enqueued)."""
        self._wake.set()

    def run_one(self) -> bool:
        """Claim and run one job; False when none was runnable."""
        job = queue.claim(self._db, lease=self._lease)
        if job is None:
            return False
        handler = self._handlers.get(job.kind)
        try:
            with self._heartbeat(job):
                if handler is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                handler(job.payload)
        except Exception as exc:
            log.exception("job %s (%s) failed on attempt %d", job.id, job.kind, job.attempts)
            queue.fail(self._db, job, f"{type(exc).__name__}: {exc}")
        else:
            queue.complete(self._db, job)
        return True

    @contextmanager
    def _heartbeat(self, job: queue.ClaimedJob) -> Iterator[None]:
        """Renew the job's lease in a thread of its own until the block ends."""
        done = threading.Event()
        interval = self._lease.total_seconds() / _RENEWALS_PER_LEASE

        def beat() -> None:
            while not done.wait(interval):
                try:
                    if not queue.renew(self._db, job, lease=self._lease):
                        # This worker stalled past its lease and another took the job over;
                        # whatever this run finishes with is no longer recorded.
                        log.warning(
                            "job %s (%s) was taken over by another worker", job.id, job.kind
                        )
                        return
                except Exception:  # the database may be briefly away: try at the next beat
                    log.warning("renewing the lease of job %s failed", job.id, exc_info=True)

        thread = threading.Thread(target=beat, name=f"imgwired-lease-{job.id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def run_pending(self) -> int:
        """Run jobs until none is runnable now; returns how many ran."""
        count = 0
        while self.run_one():
            count += 1
        return count

    def start(self) -> None:
        for index in range(self._threads_wanted):
            thread = threading.Thread(
                target=self._loop,
                args=(index == 0,),
                name=f"imgwired-jobs-{index}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _loop(self, housekeeping: bool = False) -> None:
        while not self._stop.is_set():
            if housekeeping:
                self.run_periodic()
            try:
                ran = self.run_one()
            except Exception:  # the database may be briefly unavailable; try again later
                log.exception("claiming a job failed")
                ran = False
            if not ran:
                self._wake.wait(self._poll)
                self._wake.clear()
