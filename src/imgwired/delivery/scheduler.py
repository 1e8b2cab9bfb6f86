"""``RenderScheduler``: which render runs next, on how many threads, and when one stops.

- **Two lanes.** A render the budget calls cheap goes to the cheap lane, any other to the heavy
  lane. Heavy renders hold at most ``heavy_threads`` of the ``threads``; cheap renders may take
  any free thread and are started first. A cheap render so never waits behind a heavy one, only
  behind other cheap ones.
- **Fair between environments.** Within a lane, waiting renders are started round-robin by
  environment, one from each in turn, so a burst from one environment delays another's renders
  by at most one render per environment ahead of it.
- **Bounded.** At most ``queue_limit`` renders wait per lane. One more is refused
  (``ServiceBusyError``: 503 with ``Retry-After``), unless another environment holds a longer
  share of the lane's queue: then that environment's newest waiting render is refused instead
  (the longest queue gives way), so a flood from one environment cannot lock the others out.
- **Rendered once.** A request for a rendition already waiting or running joins it. A render is
  cancelled only when every request waiting for it has left.
- **Stoppable.** Each render runs in a thread of its own under a ``RenderControl``: its time
  budget, and a cancel flag set when its last waiter leaves or the server stops; libvips checks
  both as it computes. ``close`` refuses what waits and stops what runs.

State lives on the event loop and is touched only there (one event loop per app); render
threads report back with ``anyio.from_thread.run_sync``.
"""

from __future__ import annotations

import enum
import logging
import threading
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import anyio
import anyio.from_thread
import anyio.lowlevel

from imgwired.errors import ImgwiredError, RequestAbandonedError, ServiceBusyError
from imgwired.imaging import vips
from imgwired.transform.control import RenderControl, StopReason

T = TypeVar("T")

log = logging.getLogger("imgwired.renders")


class _State(enum.Enum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"


@dataclass(eq=False)
class _Job:
    """One render and the requests waiting for it."""

    key: str
    environment: uuid.UUID
    heavy: bool
    work: Callable[[RenderControl], object]
    control: RenderControl
    token: anyio.lowlevel.EventLoopToken
    done: anyio.Event = field(default_factory=anyio.Event)
    state: _State = _State.WAITING
    waiters: int = 0
    result: object = None
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class LaneLoad:
    """How busy one lane of one process's scheduler is."""

    waiting: int
    running: int
    threads: int


class _Lane:
    """The renders of one lane waiting for a thread: one queue per environment, taken in turn."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.running = 0
        self.waiting = 0
        # Insertion order is the turn order: an environment served goes to the back.
        self._queues: dict[uuid.UUID, deque[_Job]] = {}

    def push(self, job: _Job) -> None:
        self._queues.setdefault(job.environment, deque()).append(job)
        self.waiting += 1

    def pop(self) -> _Job | None:
        """The oldest waiting render of the environment whose turn it is."""
        for environment, queue in self._queues.items():
            job = queue.popleft()
            del self._queues[environment]
            if queue:
                self._queues[environment] = queue
            self.waiting -= 1
            return job
        return None

    def remove(self, job: _Job) -> None:
        queue = self._queues[job.environment]
        queue.remove(job)
        if not queue:
            del self._queues[job.environment]
        self.waiting -= 1

    def give_way(self, newcomer: _Job) -> _Job:
        """The render to refuse when the lane is over its limit: the newest of the longest
        queue, the newcomer itself when its environment's queue is (one of) the longest."""
        own = self._queues[newcomer.environment]
        longest = max(self._queues.values(), key=len)
        return newcomer if len(own) >= len(longest) else longest[-1]

    def drain(self) -> list[_Job]:
        jobs = [job for queue in self._queues.values() for job in queue]
        self._queues.clear()
        self.waiting = 0
        return jobs


class RenderScheduler:
    """Runs renders on ``threads`` threads in two lanes, fairly between environments."""

    def __init__(
        self, *, threads: int, heavy_threads: int, queue_limit: int, time_budget: float
    ) -> None:
        self._threads = threads
        self._queue_limit = queue_limit
        self._time_budget = time_budget
        self._cheap = _Lane(threads)
        self._heavy = _Lane(min(heavy_threads, threads))
        self._jobs: dict[str, _Job] = {}
        self._running: set[_Job] = set()
        self._closed = False
        self._stopped: anyio.Event | None = None

    async def run(
        self,
        key: str,
        environment: uuid.UUID,
        work: Callable[[RenderControl], T],
        *,
        heavy: bool,
        client_gone: Callable[[], Awaitable[None]] | None = None,
    ) -> T:
        """``work(control)`` run once per ``key`` in a render thread, and its result.

        Raises ``ServiceBusyError`` when the lane's queue is full (or the server is stopping),
        ``RequestAbandonedError`` when ``client_gone`` returns first, and whatever ``work``
        raised. Concurrent calls with one ``key`` share one run of the first call's ``work``.
        """
        if self._closed:
            raise ServiceBusyError("The server is shutting down; retry shortly")
        job = self._jobs.get(key)
        if job is None:
            job = _Job(
                key,
                environment,
                heavy,
                work,
                RenderControl(time_budget=self._time_budget),
                anyio.lowlevel.current_token(),
            )
            self._admit(job)
        job.waiters += 1
        try:
            await self._wait(job, client_gone)
        finally:
            job.waiters -= 1
            if job.waiters == 0 and job.state is not _State.DONE:
                self._abandon(job)
        if job.error is not None:
            raise job.error
        return cast(T, job.result)

    def load(self) -> dict[str, LaneLoad]:
        """Renders waiting and running in each lane (``cheap``, ``heavy``) of this process.

        Read from any thread without the event loop: each figure is one int read, and a gauge
        a moment old is as good as a current one.
        """
        return {
            name: LaneLoad(lane.waiting, lane.running, lane.threads)
            for name, lane in (("cheap", self._cheap), ("heavy", self._heavy))
        }

    async def close(self, *, wait: float) -> None:
        """Refuse every waiting render, stop every running one, and give them ``wait`` seconds
        to end; no render starts afterwards."""
        self._closed = True
        for lane in (self._cheap, self._heavy):
            for job in lane.drain():
                self._finish(job, None, ServiceBusyError("The server is shutting down; retry"))
        for job in self._running:
            job.control.cancel(StopReason.SHUTDOWN)
        if self._running:
            self._stopped = anyio.Event()
            with anyio.move_on_after(wait):
                await self._stopped.wait()
            if self._running:
                log.warning("%d render(s) still running at shutdown", len(self._running))

    # -- on the event loop ---------------------------------------------------------------------

    def _admit(self, job: _Job) -> None:
        lane = self._heavy if job.heavy else self._cheap
        self._jobs[job.key] = job
        lane.push(job)
        self._dispatch()
        if lane.waiting <= self._queue_limit:
            return
        refused = lane.give_way(job)
        lane.remove(refused)
        busy = ServiceBusyError("Too many images are being transformed; retry shortly")
        self._finish(refused, None, busy)
        if refused is job:
            raise busy

    async def _wait(self, job: _Job, client_gone: Callable[[], Awaitable[None]] | None) -> None:
        if client_gone is None:
            await job.done.wait()
            return
        async with anyio.create_task_group() as group:

            async def watch() -> None:
                await client_gone()
                group.cancel_scope.cancel()

            group.start_soon(watch)
            await job.done.wait()
            group.cancel_scope.cancel()
        if not job.done.is_set():
            raise RequestAbandonedError("The client left before the image was rendered")

    def _abandon(self, job: _Job) -> None:
        """Nobody waits for ``job`` any more: forget it, and stop it if it runs."""
        if self._jobs.get(job.key) is job:
            del self._jobs[job.key]  # a new request for the key starts afresh
        if job.state is _State.WAITING:
            (self._heavy if job.heavy else self._cheap).remove(job)
            self._finish(job, None, RequestAbandonedError("Every client left"))
        else:
            job.control.cancel(StopReason.ABANDONED)

    def _dispatch(self) -> None:
        """Start waiting renders while threads are free: cheap ones first."""
        while len(self._running) < self._threads:
            job = self._cheap.pop()
            if job is None and self._heavy.running < self._heavy.threads:
                job = self._heavy.pop()
            if job is None:
                return
            self._start(job)

    def _start(self, job: _Job) -> None:
        job.state = _State.RUNNING
        (self._heavy if job.heavy else self._cheap).running += 1
        self._running.add(job)
        # A daemon thread: a render stuck in an encoder's last step, which libvips cannot
        # interrupt, never holds the process at exit.
        thread = threading.Thread(
            target=self._execute, args=(job,), name="imgwired-render", daemon=True
        )
        thread.start()

    def _ended(self, job: _Job, result: object, error: BaseException | None) -> None:
        """A render thread is done: free its thread and start the next render."""
        self._running.discard(job)
        (self._heavy if job.heavy else self._cheap).running -= 1
        self._finish(job, result, error)
        if self._closed:
            if not self._running and self._stopped is not None:
                self._stopped.set()
            return
        self._dispatch()

    def _finish(self, job: _Job, result: object, error: BaseException | None) -> None:
        if self._jobs.get(job.key) is job:
            del self._jobs[job.key]
        job.result, job.error, job.state = result, error, _State.DONE
        job.done.set()

    # -- in the render thread ------------------------------------------------------------------

    def _execute(self, job: _Job) -> None:
        job.control.start()
        result: object = None
        error: BaseException | None = None
        try:
            result = job.work(job.control)
        except BaseException as exc:  # handed to the waiters, who raise it
            if not isinstance(exc, ImgwiredError):
                log.error("render %s failed", job.key, exc_info=exc)
            error = _detached(exc)
        if job.heavy or error is not None:
            # A large render leaves its memory in the C heap's free lists: give it back.
            vips.return_free_memory()
        try:
            anyio.from_thread.run_sync(self._ended, job, result, error, token=job.token)
        except RuntimeError:
            log.debug("render %s ended after its event loop closed", job.key)


def _detached(error: BaseException) -> BaseException:
    """``error`` without its traceback and the errors it came from.

    Their frames hold the render's images (pyvips binds each method call to its image), and
    the frame that caught it holds the error: a cycle that would keep hundreds of megabytes
    of pixels alive until the garbage collector next looks. Unexpected errors are logged,
    traceback and all, before this.
    """
    error.__traceback__ = None
    error.__cause__ = None
    error.__context__ = None
    return error
