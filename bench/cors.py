"""CORS benchmarks: our CORS layer against Starlette's static CORSMiddleware, and the cost of a
CORS decision as an environment's allowlist grows from 10 to 10,000 patterns.

Run from the repository root::

    .venv/bin/python bench/cors.py            # full run, well under a minute
    .venv/bin/python bench/cors.py --quick    # fewer rounds and iterations, a smoke test
    .venv/bin/python bench/cors.py --http     # also over real HTTP (uvicorn on loopback)
    .venv/bin/python bench/cors.py --profile  # also cProfile the preflight path of both apps

Every figure is printed next to its peer measured in the same run, with the ratio and PASS/FAIL
against its target; the exit status is 1 when any target fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import os
import platform
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import unlimited
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Scope

from imgwired.accounts.api_keys import NewApiKey
from imgwired.config import Settings
from imgwired.cors.decision import Decision, EnvironmentCors, Preflight
from imgwired.cors.origins import Origin, parse_origin
from imgwired.cors.patterns import OriginPattern, parse_pattern
from imgwired.cors.policy import DEFAULT_EXPOSE_HEADERS, CorsPolicy
from imgwired.cors.runtime import CorsSnapshot
from imgwired.db.models import ApiKeyType
from imgwired.web.app import create_app
from imgwired.web.cors import CorsMiddleware

ALLOWED_PATTERN = "app.example.com"
ALLOWED_ORIGIN = "https://app.example.com"
UPLOAD_PATH = "/api/v1/images/standard_upload"
UPLOAD_BODY = b'{"file_name":"a.jpg"}'
REQUEST_HEADERS = b"authorization, content-type"

THROUGHPUT_TARGET = 0.9  # ours / peer, at least
SCALING_TARGET = 1.1  # 10,000 patterns / 10 patterns, at most

OURS = "ours"
PEER = "starlette"


@dataclass(frozen=True, slots=True)
class Budget:
    """How long each measurement runs; ``--quick`` shrinks everything."""

    rounds: int  # interleaved throughput rounds per app
    round_seconds: float  # target duration of one round (request count calibrated once)
    decision_repeats: int  # timeit repeats per (size, case), each size back to back
    decision_seconds: float  # target duration of one timeit repeat
    http_rounds: int
    http_round_seconds: float


FULL = Budget(
    rounds=39,
    round_seconds=0.15,
    decision_repeats=25,
    decision_seconds=0.015,
    http_rounds=6,
    http_round_seconds=1.0,
)
QUICK = Budget(
    rounds=11,
    round_seconds=0.08,
    decision_repeats=9,
    decision_seconds=0.01,
    http_rounds=3,
    http_round_seconds=0.7,
)


@dataclass(slots=True)
class Result:
    """One comparison: a figure, its peer's, and whether their ratio meets the target."""

    name: str
    unit: str
    ours: float
    peer: float
    peer_label: str
    target: float | None  # None: informational
    higher_is_better: bool
    spread: str = ""  # a note on the rounds' spread, shown after the figure
    # Throughput: the median of per-round ratios (each round times ours and the peer back to
    # back), steadier than the ratio of medians when the machine's speed drifts. Else ours/peer.
    paired_ratio: float | None = None
    ratio: float = field(init=False)

    def __post_init__(self) -> None:
        if self.paired_ratio is not None:
            self.ratio = self.paired_ratio
        else:
            self.ratio = self.ours / self.peer if self.peer else float("inf")

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        if self.higher_is_better:
            return self.ratio >= self.target
        return self.ratio <= self.target

    @property
    def verdict(self) -> str:
        return {None: "info", True: "PASS", False: "FAIL"}[self.passed]

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "-"
        return f"{'>=' if self.higher_is_better else '<='} {self.target:.2f}"


def say(text: str = "") -> None:
    print(text, flush=True)


def show(result: Result) -> None:
    say(
        f"  {result.name:<44} {_figure(result.ours, result.unit):>14}  vs "
        f"{result.peer_label} {_figure(result.peer, result.unit):>14}   "
        f"ratio {result.ratio:5.3f} (target {result.target_text}) {result.verdict}"
    )
    if result.spread:
        say(f"      {result.spread}")


def _figure(value: float, unit: str) -> str:
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    return f"{value:,.0f} {unit}"


# -- the two apps ------------------------------------------------------------------------------


def bench_settings(directory: Path) -> Settings:
    return Settings(
        data_dir=directory,
        database_url=f"sqlite:///{directory}/b.db",
        public_url="http://bench.local",
        **unlimited.SETTINGS,
    )


def build_app(kind: str, settings: Settings) -> FastAPI:
    """``create_app(settings)``; for the peer, with Starlette's CORSMiddleware in our layer's place.

    The swap must happen before the app handles anything (the lifespan included): Starlette builds
    its middleware stack on the first call.
    """
    app = create_app(settings)
    if kind == OURS:
        return app
    index = [i for i, m in enumerate(app.user_middleware) if cast(Any, m.cls) is CorsMiddleware]
    if len(index) != 1:
        raise RuntimeError(f"expected one CorsMiddleware in {app.user_middleware!r}")
    assert app.middleware_stack is None, "the middleware stack is already built"
    app.user_middleware[index[0]] = Middleware(
        CORSMiddleware,
        allow_origins=[ALLOWED_ORIGIN],
        allow_methods=["GET", "HEAD", "POST", "PUT"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=list(DEFAULT_EXPOSE_HEADERS),
        max_age=86400,
    )
    return app


@contextlib.asynccontextmanager
async def running(app: ASGIApp) -> AsyncIterator[None]:
    """Run the app's lifespan (migrations, CORS cache, refresh loop) in the current event loop."""
    to_app: asyncio.Queue[Message] = asyncio.Queue()
    from_app: asyncio.Queue[Message] = asyncio.Queue()
    scope: Scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
    scope["state"] = {}

    async def lifespan() -> None:
        await app(scope, to_app.get, from_app.put)

    task = asyncio.create_task(lifespan())
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"lifespan startup failed: {started}")
    try:
        yield
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        stopped = await from_app.get()
        await task
        if stopped["type"] != "lifespan.shutdown.complete":
            raise RuntimeError(f"lifespan shutdown failed: {stopped}")


@dataclass(slots=True)
class Target:
    """A started app, configured, and the two requests to send it."""

    kind: str
    app: FastAPI
    client_key: str
    preflight: Scope = field(default_factory=dict)
    request: Scope = field(default_factory=dict)


async def prepare(kind: str, directory: Path, stack: contextlib.AsyncExitStack) -> Target:
    directory.mkdir(parents=True, exist_ok=True)
    app = build_app(kind, bench_settings(directory))
    await stack.enter_async_context(running(app))
    services = app.state.services
    installed = services.organization.initialize(environment_name="production")
    # Stored for both apps so their databases are alike; only ours reads it.
    services.cors.create(installed.environment.id, ALLOWED_PATTERN)
    # A browser-style key: no upload token, and no practical cap on uploads awaiting bytes.
    browser_key = services.api_keys.create(
        installed.environment.id,
        NewApiKey(
            "bench",
            ApiKeyType.CLIENT,
            settings={"allow_unsigned_upload": True, "maximum_pending_uploads": 10**9},
        ),
    )
    target = Target(kind, app, browser_key.secret)
    target.preflight = http_scope(
        "OPTIONS",
        [
            (b"origin", ALLOWED_ORIGIN.encode()),
            (b"access-control-request-method", b"POST"),
            (b"access-control-request-headers", REQUEST_HEADERS),
        ],
    )
    target.request = http_scope(
        "POST",
        [
            (b"origin", ALLOWED_ORIGIN.encode()),
            (b"authorization", f"Bearer {target.client_key}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(UPLOAD_BODY)).encode()),
        ],
    )
    return target


def http_scope(method: str, headers: list[tuple[bytes, bytes]]) -> Scope:
    common = [
        (b"host", b"bench.local"),
        (b"user-agent", b"imgwired-bench"),
        (b"accept", b"*/*"),
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": UPLOAD_PATH,
        "raw_path": UPLOAD_PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [*common, *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


# -- in-process throughput ---------------------------------------------------------------------


@dataclass(slots=True)
class Captured:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


async def call(app: ASGIApp, template: Scope, body: bytes) -> Captured:
    """One request through the whole app, with its response captured (for the checks)."""
    captured = Captured()
    await app(_fresh(template), _receiver(body), _capturing(captured))
    return captured


def _fresh(template: Scope) -> Scope:
    # Middleware writes into the scope (state, the CORS context): every request gets its own,
    # as it does from a server.
    scope = dict(template)
    scope["state"] = {}
    return scope


def _receiver(body: bytes) -> Callable[[], Awaitable[Message]]:
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return pending.pop() if pending else {"type": "http.disconnect"}

    return receive


def _capturing(captured: Captured) -> Callable[[Message], Awaitable[None]]:
    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured.status = message["status"]
            captured.headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message["headers"]
            }
        elif message["type"] == "http.response.body":
            captured.body += message.get("body", b"")

    return send


async def _discard(message: Message) -> None:
    return None


async def loop_requests(app: ASGIApp, template: Scope, body: bytes, count: int) -> float:
    """Send ``count`` requests one after another; return the elapsed seconds."""
    started = time.perf_counter()
    for _ in range(count):
        await app(_fresh(template), _receiver(body), _discard)
    return time.perf_counter() - started


def check_preflight(target: Target, response: Captured) -> None:
    acao = response.headers.get("access-control-allow-origin")
    if not (200 <= response.status < 300 and acao == ALLOWED_ORIGIN):
        raise SystemExit(
            f"{target.kind}: the preflight is not allowed (status {response.status}, "
            f"headers {response.headers}, body {response.body[:300]!r}); refusing to time it"
        )


def check_request(target: Target, response: Captured) -> None:
    acao = response.headers.get("access-control-allow-origin")
    if not (response.status == 200 and acao == ALLOWED_ORIGIN):
        raise SystemExit(
            f"{target.kind}: the client request did not get 200 with ACAO (status "
            f"{response.status}, headers {response.headers}, body {response.body[:300]!r}); "
            "refusing to time it"
        )


async def throughput(
    name: str,
    ours: Target,
    peer: Target,
    pick: Callable[[Target], Scope],
    body: bytes,
    budget: Budget,
) -> Result:
    """Median requests/second over interleaved rounds (ours, peer / peer, ours, ...)."""
    for target in (ours, peer):  # warm up: first-use compilation, caches, the thread pool
        await loop_requests(target.app, pick(target), body, 200)
    # The fastest of a few probes: one slow moment must not shrink every round.
    probe = min([await loop_requests(ours.app, pick(ours), body, 200) for _ in range(3)])
    count = max(50, int(budget.round_seconds * 200 / probe))
    rates: dict[str, list[float]] = {OURS: [], PEER: []}
    for round_ in range(budget.rounds):
        order = (ours, peer) if round_ % 2 == 0 else (peer, ours)
        for target in order:
            gc.collect()
            elapsed = await loop_requests(target.app, pick(target), body, count)
            rates[target.kind].append(count / elapsed)
    return _compared(name, rates, THROUGHPUT_TARGET, f"{count} req/round x {budget.rounds}")


def _compared(name: str, rates: dict[str, list[float]], target: float | None, note: str) -> Result:
    ours_rate = statistics.median(rates[OURS])
    peer_rate = statistics.median(rates[PEER])
    pairs = [o / p for o, p in zip(rates[OURS], rates[PEER], strict=True)]
    spread = (
        f"{note}; ours {_range(rates[OURS])}, peer {_range(rates[PEER])}; per-round ratios "
        f"{min(pairs):.2f}..{max(pairs):.2f}, ratio of medians {ours_rate / peer_rate:.3f}"
    )
    paired = statistics.median(pairs)
    return Result(name, "req/s", ours_rate, peer_rate, PEER, target, True, spread, paired)


def _range(values: Sequence[float]) -> str:
    return f"{min(values):,.0f}..{max(values):,.0f}"


async def profile_preflight(targets: Sequence[Target], count: int) -> None:
    """cProfile ``count`` preflights through each whole app: the top entries by own time, then
    the CORS layer's functions by cumulative time (ours: imgwired's; the peer: Starlette's).
    """
    for target in targets:
        await loop_requests(target.app, target.preflight, b"", 500)
        profiler = cProfile.Profile()
        profiler.enable()
        await loop_requests(target.app, target.preflight, b"", count)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(20)
        # Full paths here, so that the bench's own cors.py is not taken for a CORS layer.
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(CORS_FILES, 14)
        say(f"\n--- cProfile, {count} preflights through the {target.kind} app ---")
        say(_trim_profile(out.getvalue()))


CORS_FILES = r"(imgwired|starlette)/.*(cors|decision|origins|runtime|matcher|policy)\.py"


def _trim_profile(text: str) -> str:
    keep = ("function calls", "Ordered by", "ncalls", ".py:", "{")
    lines = [line for line in text.splitlines() if any(k in line for k in keep)]
    return "\n".join(re.sub(r"\S*/(?:site-packages|src)/", "", line) for line in lines)


# -- decision scaling --------------------------------------------------------------------------


def patterns(count: int) -> list[OriginPattern]:
    """Half exact hosts, half wildcards, all distinct; the first ten are the same at any size."""
    texts = [
        f"app{i}.example{i % 50}.com" if i % 2 == 0 else f"*.tenant{i}.example.com"
        for i in range(count)
    ]
    return [parse_pattern(text) for text in texts]


DECISION_ORIGINS = (
    ("exact hit", "https://app8.example8.com"),
    ("wildcard hit, deep host", "https://a.b.c.d.tenant9.example.com"),
    ("miss, deep host", "https://a.b.c.d.e.nowhere.example.net"),
)


def parse_origins() -> list[tuple[str, Origin | None]]:
    return [(label, parse_origin([text.encode()])) for label, text in DECISION_ORIGINS]


def decision_scaling(budget: Budget) -> list[Result]:
    small_size, large_size = 10, 10_000
    built = time.perf_counter()
    environments = {
        size: EnvironmentCors(uuid.uuid4(), patterns(size), CorsPolicy())
        for size in (small_size, large_size)
    }
    say(
        f"  (parsed and compiled {small_size + large_size:,} patterns in "
        f"{time.perf_counter() - built:.2f} s)"
    )
    results: list[Result] = []
    for label, origin in parse_origins():
        assert origin is not None, label
        expect_allowed = not label.startswith("miss")
        request = Preflight(origin, "POST", [REQUEST_HEADERS])
        for operation in ("actual", "preflight"):
            timers: dict[int, timeit.Timer] = {}
            for size, env in environments.items():
                decide = env.actual if operation == "actual" else env.preflight
                argument: Any = origin if operation == "actual" else request
                decision = decide(argument)
                if decision.allowed != expect_allowed:
                    raise SystemExit(f"{operation} {label} at {size}: unexpected {decision}")
                timers[size] = timeit.Timer(
                    "decide(argument)", globals={"decide": decide, "argument": argument}
                )
            number = _calibrate(timers[small_size], budget.decision_seconds)
            samples = _interleaved(timers, number, budget.decision_repeats)
            results.append(
                _scaled(
                    f"{operation}(), {label}",
                    samples,
                    large_size,
                    small_size,
                    "patterns",
                    SCALING_TARGET,
                )
            )
            show(results[-1])
    return results


def parse_origin_cost(budget: Budget) -> list[tuple[str, float]]:
    figures: list[tuple[str, float]] = []
    for label, text in DECISION_ORIGINS:
        values = [text.encode()]
        timer = timeit.Timer("parse(values)", globals={"parse": parse_origin, "values": values})
        number = _calibrate(timer, budget.decision_seconds)
        runs = [timer.timeit(number) / number * 1e9 for _ in range(budget.decision_repeats)]
        figures.append((f"parse_origin, {label}", statistics.median(runs)))
        say(f"  {figures[-1][0]:<44} {figures[-1][1]:>10,.0f} ns   ({text})")
    return figures


def environment_scaling(budget: Budget) -> list[Result]:
    """A client-endpoint preflight carries no credentials, so its environment is unknown: the
    runtime asks only the environments whose allowlist admits the origin (plus open and
    report-only ones), found through one index (``CorsSnapshot.preflight_anywhere``). Timed
    here without the runtime's decision cache, as for origins never seen before.
    """
    small_size, large_size = 1, 100
    environments = {
        size: [
            EnvironmentCors(uuid.uuid4(), [parse_pattern(f"app{i}.example.com")], CorsPolicy())
            for i in range(size)
        ]
        for size in (small_size, large_size)
    }
    cases: tuple[tuple[str, Callable[[int], str], bool], ...] = (
        ("allowed by the first env", lambda size: "https://app0.example.com", True),
        (
            "allowed by the last env",
            lambda size: f"https://app{size - 1}.example.com",
            True,
        ),
        ("refused by every env", lambda size: "https://evil.example.org", False),
    )
    results: list[Result] = []
    for label, origin_of, expect_allowed in cases:
        timers: dict[int, timeit.Timer] = {}
        for size, envs in environments.items():
            request = Preflight(parse_origin([origin_of(size).encode()]), "POST", [REQUEST_HEADERS])
            decide = _deciding_across(envs)
            if decide(request).allowed != expect_allowed:
                raise SystemExit(f"preflight across {size} environments, {label}: unexpected")
            timers[size] = timeit.Timer(
                "decide(request)", globals={"decide": decide, "request": request}
            )
        number = _calibrate(timers[large_size], budget.decision_seconds, minimum=50)
        samples = _interleaved(timers, number, budget.decision_repeats)
        results.append(
            _scaled(f"env-less preflight, {label}", samples, large_size, small_size, "env")
        )
        show(results[-1])
    return results


def _deciding_across(envs: Sequence[EnvironmentCors]) -> Callable[[Preflight], Decision]:
    snapshot = CorsSnapshot({env.environment_id: env for env in envs}, {})
    return snapshot.preflight_anywhere


def _scaled(
    name: str,
    samples: dict[int, list[float]],
    large: int,
    small: int,
    noun: str,
    target: float | None = None,
) -> Result:
    """Large vs small: medians in ns, and the median of the per-repeat ratios as the ratio."""
    pairs = [big / little for big, little in zip(samples[large], samples[small], strict=True)]
    spread = (
        f"{large:,}: {_range(samples[large])} ns; {small:,}: {_range(samples[small])} ns; "
        f"per-repeat ratios {min(pairs):.2f}..{max(pairs):.2f}, ratio of medians "
        f"{statistics.median(samples[large]) / statistics.median(samples[small]):.3f}"
    )
    return Result(
        name,
        "ns",
        statistics.median(samples[large]),
        statistics.median(samples[small]),
        f"{small:,} {noun}",
        target,
        False,
        spread,
        statistics.median(pairs),
    )


def _interleaved(
    timers: dict[int, timeit.Timer], number: int, repeats: int
) -> dict[int, list[float]]:
    """ns per call for each timer; in each repeat all run back to back, alternating the order."""
    samples: dict[int, list[float]] = {size: [] for size in timers}
    sizes = list(timers)
    for repeat in range(repeats):
        for size in sizes if repeat % 2 == 0 else reversed(sizes):
            samples[size].append(timers[size].timeit(number) / number * 1e9)
    return samples


def _calibrate(timer: timeit.Timer, seconds: float, minimum: int = 1000) -> int:
    number, elapsed = timer.autorange()
    return max(minimum, int(number * seconds / elapsed))


# -- real HTTP (optional) ----------------------------------------------------------------------


def _serve(kind: str, directory: str, port: int) -> None:
    """A uvicorn server for one app, in a child process (the database is already set up)."""
    import uvicorn

    from imgwired.web.http_protocol import CanonicalCaseHttpToolsProtocol

    app = build_app(kind, bench_settings(Path(directory)))
    # Both apps run on the protocol `imgwired serve` uses, so only the CORS layer differs.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        http=CanonicalCaseHttpToolsProtocol,
    )
    uvicorn.Server(config).run()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def served(kind: str, directory: Path) -> Iterator[str]:
    """A uvicorn server for one app in a child process, on a free loopback port."""
    import httpx

    port = _free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", kind, str(directory)]
    process = subprocess.Popen([*command, str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the {kind} server did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


HTTP_CONCURRENCY = 8


def raw_request(method: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {UPLOAD_PATH} HTTP/1.1", "Host: bench.local"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def http_round(port: int, request: bytes, expect: bytes, seconds: float) -> float:
    """Requests/second from HTTP_CONCURRENCY keep-alive connections for ``seconds``.

    A deliberately lean client (pre-encoded request, minimal response parsing): httpx's async
    client costs about a millisecond of CPU per request, so on a small machine it, not the
    server, would set the pace.
    """
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                writer.write(request)
                head = (await reader.readuntil(b"\r\n\r\n")).lower()
                if not head.startswith(expect) or ACAO_LINE not in head:
                    raise RuntimeError(f"unexpected response to the bench: {head[:400]!r}")
                length = head.partition(b"\r\ncontent-length:")[2].partition(b"\r\n")[0]
                await reader.readexactly(int(length))
                done += 1
        finally:
            writer.close()
            await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(HTTP_CONCURRENCY)))
    return done / (time.perf_counter() - started)


ACAO_LINE = f"\r\naccess-control-allow-origin: {ALLOWED_ORIGIN}\r\n".encode()


async def http_throughput(
    ours: Target, peer: Target, directories: dict[str, Path], budget: Budget
) -> list[Result]:
    import httpx

    preflight = {
        "Origin": ALLOWED_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": REQUEST_HEADERS.decode(),
    }
    keys = {OURS: ours.client_key, PEER: peer.client_key}

    def upload(kind: str) -> dict[str, str]:
        return {
            "Origin": ALLOWED_ORIGIN,
            "Authorization": f"Bearer {keys[kind]}",
            "Content-Type": "application/json",
        }

    results: list[Result] = []
    with served(OURS, directories[OURS]) as ours_base, served(PEER, directories[PEER]) as peer_base:
        bases = {OURS: ours_base, PEER: peer_base}
        ports = {kind: int(base.rpartition(":")[2]) for kind, base in bases.items()}
        for kind, base in bases.items():  # the same checks as in-process, by an ordinary client
            answer = httpx.options(base + UPLOAD_PATH, headers=preflight)
            allowed = answer.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
            if not (answer.is_success and allowed):
                raise SystemExit(f"{kind} over HTTP: preflight got {answer.status_code}")
            answer = httpx.post(base + UPLOAD_PATH, headers=upload(kind), content=UPLOAD_BODY)
            allowed = answer.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
            if not (answer.status_code == 200 and allowed):
                raise SystemExit(f"{kind} over HTTP: client request got {answer.status_code}")
        cases: tuple[tuple[str, Callable[[str], bytes], bytes], ...] = (
            (
                "HTTP preflight throughput",
                lambda kind: raw_request("OPTIONS", preflight, b""),
                b"http/1.1 2",
            ),
            (
                "HTTP client-request throughput",
                lambda kind: raw_request("POST", upload(kind), UPLOAD_BODY),
                b"http/1.1 200",
            ),
        )
        for name, request_for, expect in cases:
            requests = {kind: request_for(kind) for kind in (OURS, PEER)}
            for kind in (OURS, PEER):  # warm up
                await http_round(ports[kind], requests[kind], expect, 0.3)
            rates: dict[str, list[float]] = {OURS: [], PEER: []}
            for round_ in range(budget.http_rounds):
                order = (OURS, PEER) if round_ % 2 == 0 else (PEER, OURS)
                for kind in order:
                    rate = await http_round(
                        ports[kind], requests[kind], expect, budget.http_round_seconds
                    )
                    rates[kind].append(rate)
            note = f"{budget.http_round_seconds:g} s/round x {budget.http_rounds}"
            results.append(_compared(name, rates, None, note))
            show(results[-1])
    return results


# -- main --------------------------------------------------------------------------------------


def summary(
    results: Sequence[Result], informational: Sequence[Result], costs: Sequence[tuple[str, float]]
) -> None:
    say(
        "\nSummary (ratio: ours / peer, throughput as the median of per-round ratios; decision "
        "scaling: 10,000 patterns / 10; env-less preflight: 100 environments / 1)"
    )
    header = f"  {'measurement':<48} {'ours':>14} {'peer':>14} {'ratio':>7} {'target':>8}  verdict"
    say(header)
    say("  " + "-" * (len(header) - 2))
    for r in [*results, *informational]:
        say(
            f"  {r.name:<48} {_figure(r.ours, r.unit):>14} {_figure(r.peer, r.unit):>14} "
            f"{r.ratio:>7.3f} {r.target_text:>8}  {r.verdict}"
        )
    for name, value in costs:
        say(f"  {name:<48} {_figure(value, 'ns'):>14} {'':>14} {'':>7} {'-':>8}  info")


async def run(args: argparse.Namespace, budget: Budget) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="imgwired-bench-") as tmp:
        directories = {OURS: Path(tmp) / OURS, PEER: Path(tmp) / PEER}
        async with contextlib.AsyncExitStack() as stack:
            ours = await prepare(OURS, directories[OURS], stack)
            peer = await prepare(PEER, directories[PEER], stack)
            for target in (ours, peer):
                check_preflight(target, await call(target.app, target.preflight, b""))
                check_request(target, await call(target.app, target.request, UPLOAD_BODY))

            say("\n1. Preflight throughput, in-process ASGI (OPTIONS standard_upload, allowed)")
            result = await throughput(
                "preflight throughput", ours, peer, lambda t: t.preflight, b"", budget
            )
            show(result)
            results.append(result)

            say("\n2. Client-request throughput, in-process ASGI (POST standard_upload -> 200)")
            result = await throughput(
                "client-request throughput", ours, peer, lambda t: t.request, UPLOAD_BODY, budget
            )
            show(result)
            results.append(result)

            if args.profile:
                await profile_preflight((ours, peer), 3000 if args.quick else 20000)

        if args.http:
            say(f"\n1b/2b. Over real HTTP: uvicorn on loopback, {HTTP_CONCURRENCY} connections")
            say("  (informational: client and server share the machine's cores)")
            results += await http_throughput(ours, peer, directories, budget)

    return results


def main(argv: Sequence[str] | None = None) -> int:
    summary_line = " ".join((__doc__ or "").split("\n\n")[0].split())
    parser = argparse.ArgumentParser(description=summary_line)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and iterations")
    parser.add_argument("--http", action="store_true", help="also measure over real HTTP")
    parser.add_argument("--profile", action="store_true", help="cProfile the preflight path")
    # Internal: the child process behind --http.
    parser.add_argument("--serve", nargs=3, metavar=("KIND", "DIR", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        kind, directory, port = args.serve
        _serve(kind, directory, int(port))
        return 0
    budget = QUICK if args.quick else FULL
    started = time.perf_counter()
    say(
        f"imgwired CORS bench ({'quick' if args.quick else 'full'}): Python "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"asyncio event loop"
    )

    results = asyncio.run(run(args, budget))

    say("\n3. Decision time, one environment, 10 vs 10,000 patterns (ns per decision)")
    results += decision_scaling(budget)

    say("\n3b. Informational: a client-endpoint preflight across 1 vs 100 environments")
    say("    (no credentials in a preflight, so every environment is asked in turn)")
    informational = environment_scaling(budget)

    say("\n3c. Informational: parse_origin, paid once per request before any decision")
    parse_costs = parse_origin_cost(budget)

    summary(results, informational, parse_costs)
    targets = [r for r in results if r.passed is not None]
    failed = [r.name for r in targets if not r.passed]
    say(f"\nTotal time {time.perf_counter() - started:.1f} s.")
    if failed:
        say(f"FAIL ({len(failed)} of {len(targets)} targets): {'; '.join(failed)}")
        return 1
    say(f"PASS: all {len(targets)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
