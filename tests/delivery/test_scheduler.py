"""The render scheduler's promises, with stand-in renders that block until a test lets them go:
cheap renders never wait behind heavy ones, environments take turns, the longest queue gives
way, a render shared by requests stops only when all have left, and closing stops everything."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.abc
import pytest

from imgwired.delivery.scheduler import LaneLoad, RenderScheduler
from imgwired.errors import ImgwiredError, RequestAbandonedError, ServiceBusyError
from imgwired.transform.control import RenderControl, StopReason

A, B, C = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


class Gate:
    """A render stand-in: records that it started, then blocks until opened or stopped (it
    checks its control as libvips checks between tiles)."""

    def __init__(self, name: str, started: list[str]) -> None:
        self.name = name
        self.log = started
        self.running = threading.Event()
        self.opened = threading.Event()
        self.stopped: StopReason | None = None

    def __call__(self, control: RenderControl) -> str:
        self.log.append(self.name)
        self.running.set()
        while not self.opened.wait(0.005):
            error = control.error()
            if error is not None:
                self.stopped = control.stop_reason
                raise error
        return self.name

    async def started(self) -> None:
        assert await anyio.to_thread.run_sync(self.running.wait, 10), f"{self.name} never ran"


class Requests:
    """Requests to a scheduler, each in its own task; what each got back."""

    def __init__(self, scheduler: RenderScheduler, group: anyio.abc.TaskGroup) -> None:
        self.scheduler = scheduler
        self.group = group
        self.started: list[str] = []
        self.gates: dict[str, Gate] = {}
        self.outcomes: dict[str, Any] = {}
        self.finished: dict[str, anyio.Event] = {}

    def send(
        self,
        name: str,
        environment: uuid.UUID,
        *,
        heavy: bool = False,
        key: str | None = None,
        client_gone: Callable[[], Awaitable[None]] | None = None,
    ) -> Gate:
        gate = self.gates.setdefault(key or name, Gate(key or name, self.started))
        self.finished[name] = anyio.Event()

        async def request() -> None:
            try:
                self.outcomes[name] = await self.scheduler.run(
                    key or name, environment, gate, heavy=heavy, client_gone=client_gone
                )
            except ImgwiredError as error:
                self.outcomes[name] = error
            finally:
                self.finished[name].set()

        self.group.start_soon(request)
        return gate

    async def outcome(self, name: str) -> Any:
        with anyio.fail_after(10):
            await self.finished[name].wait()
        return self.outcomes[name]

    def open_all(self) -> None:
        for gate in self.gates.values():
            gate.opened.set()


def scenario(
    body: Callable[[Requests], Awaitable[None]],
    *,
    threads: int = 1,
    heavy_threads: int = 1,
    queue_limit: int = 10,
) -> None:
    async def main() -> None:
        scheduler = RenderScheduler(
            threads=threads, heavy_threads=heavy_threads, queue_limit=queue_limit, time_budget=30
        )
        async with anyio.create_task_group() as group:
            requests = Requests(scheduler, group)
            try:
                await body(requests)
            finally:
                requests.open_all()

    anyio.run(main)


def test_a_cheap_render_starts_while_heavy_renders_hold_their_share() -> None:
    async def body(requests: Requests) -> None:
        first = requests.send("heavy-1", A, heavy=True)
        await first.started()
        for number in (2, 3, 4):
            requests.send(f"heavy-{number}", A, heavy=True)
        await anyio.wait_all_tasks_blocked()
        cheap = requests.send("cheap", B)
        await cheap.started()  # heavy renders hold one of the two threads: the other is free
        assert requests.started == ["heavy-1", "cheap"]
        cheap.opened.set()
        assert await requests.outcome("cheap") == "cheap"

    scenario(body, threads=2, heavy_threads=1)


def test_environments_take_turns() -> None:
    async def body(requests: Requests) -> None:
        blocker = requests.send("blocker", C)
        await blocker.started()
        for number in (1, 2, 3):
            requests.send(f"a{number}", A)
            await anyio.wait_all_tasks_blocked()
        requests.send("b1", B)
        await anyio.wait_all_tasks_blocked()
        requests.open_all()
        for name in ("a1", "a2", "a3", "b1"):
            assert await requests.outcome(name) == name
        # B's one render comes second, not after everything A sent before it.
        assert requests.started == ["blocker", "a1", "b1", "a2", "a3"]

    scenario(body)


def test_a_full_queue_refuses_the_newest_render_of_the_longest_queue() -> None:
    async def body(requests: Requests) -> None:
        blocker = requests.send("blocker", C)
        await blocker.started()
        requests.send("a1", A)
        requests.send("a2", A)
        await anyio.wait_all_tasks_blocked()
        # The queue (2) is full of A's renders: B's first one gets in, A's newest gives way.
        requests.send("b1", B)
        assert isinstance(await requests.outcome("a2"), ServiceBusyError)
        # Now A and B hold one place each: A's next one is the one refused.
        requests.send("a3", A)
        refused = await requests.outcome("a3")
        assert isinstance(refused, ServiceBusyError)
        assert "retry" in refused.detail
        requests.open_all()
        for name in ("a1", "b1"):
            assert await requests.outcome(name) == name

    scenario(body, queue_limit=2)


def test_no_queue_means_a_render_waits_for_nothing() -> None:
    async def body(requests: Requests) -> None:
        running = requests.send("running", A)
        await running.started()
        requests.send("extra", A)
        assert isinstance(await requests.outcome("extra"), ServiceBusyError)

    scenario(body, queue_limit=0)


def test_a_shared_render_stops_only_when_every_waiter_has_left() -> None:
    async def body(requests: Requests) -> None:
        leave_first, leave_second = anyio.Event(), anyio.Event()
        gate = requests.send("first", A, key="same", client_gone=leave_first.wait)
        await gate.started()
        requests.send("second", A, key="same", client_gone=leave_second.wait)
        await anyio.wait_all_tasks_blocked()
        assert requests.started == ["same"]  # one render for both

        leave_first.set()
        assert isinstance(await requests.outcome("first"), RequestAbandonedError)
        await anyio.wait_all_tasks_blocked()
        assert gate.stopped is None  # the second request still waits for it

        leave_second.set()
        assert isinstance(await requests.outcome("second"), RequestAbandonedError)
        with anyio.fail_after(10):
            while gate.stopped is None:
                await anyio.sleep(0.01)  # the render thread notices at its next check
        assert gate.stopped is StopReason.ABANDONED

    scenario(body)


def test_a_waiting_render_whose_clients_left_never_starts() -> None:
    async def body(requests: Requests) -> None:
        blocker = requests.send("blocker", A)
        await blocker.started()
        gone = anyio.Event()
        requests.send("queued", A, client_gone=gone.wait)
        await anyio.wait_all_tasks_blocked()
        gone.set()
        assert isinstance(await requests.outcome("queued"), RequestAbandonedError)
        blocker.opened.set()
        assert await requests.outcome("blocker") == "blocker"
        assert requests.started == ["blocker"]

    scenario(body)


def test_closing_refuses_waiting_renders_and_stops_running_ones() -> None:
    async def body(requests: Requests) -> None:
        running = requests.send("running", A)
        await running.started()
        requests.send("waiting", B)
        await anyio.wait_all_tasks_blocked()
        await requests.scheduler.close(wait=10)
        assert running.stopped is StopReason.SHUTDOWN
        for name in ("running", "waiting"):
            assert isinstance(await requests.outcome(name), ServiceBusyError)
        with pytest.raises(ServiceBusyError):
            await requests.scheduler.run("late", A, Gate("late", []), heavy=False)

    scenario(body)


def test_the_load_of_each_lane_counts_what_waits_and_what_runs() -> None:
    async def body(requests: Requests) -> None:
        scheduler = requests.scheduler
        idle = {"cheap": LaneLoad(0, 0, 2), "heavy": LaneLoad(0, 0, 1)}
        assert scheduler.load() == idle
        heavy = requests.send("heavy-1", A, heavy=True)
        await heavy.started()
        requests.send("heavy-2", A, heavy=True)
        cheap = requests.send("cheap-1", B)
        await cheap.started()
        requests.send("cheap-2", B)
        await anyio.wait_all_tasks_blocked()
        assert scheduler.load() == {"cheap": LaneLoad(1, 1, 2), "heavy": LaneLoad(1, 1, 1)}
        requests.open_all()
        for name in ("heavy-1", "heavy-2", "cheap-1", "cheap-2"):
            assert await requests.outcome(name) == name
        assert scheduler.load() == idle

    scenario(body, threads=2, heavy_threads=1)
