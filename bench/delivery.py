"""Delivery benchmarks: first-hit transforms against raw pyvips and thumbor, cached delivery
against Starlette's FileResponse of the same bytes, and a cheap render while heavy ones run.

Run from the repository root::

    .venv/bin/python bench/delivery.py            # full run
    .venv/bin/python bench/delivery.py --quick    # fewer rounds and requests, a smoke test

1. First-hit transform of a 24 MP JPEG (6000x4000) to an 800 px wide WebP at quality 80:
   imgwired over HTTP (every request a cache miss: one upload per request), raw pyvips in this
   process (``thumbnail(path, 800).webpsave_buffer(Q=80)``) and thumbor (its own venv,
   bench/.thumbor-venv, created on first use; file loader, no storage, no result storage), in
   interleaved rounds. Target: ours / raw pyvips median latency <= 1.1. Then throughput of
   first-hit transforms with 4 concurrent clients, ours against thumbor as shipped (one
   process) and thumbor with one process per core (``--processes``). Target: >= 1.3x both;
   and >= 0.95 of raw pyvips rendering the same files on as many threads as clients.
2. Cached delivery: one rendition, fetched again and again from imgwired's CDN URL (a cache hit
   every time), against a minimal Starlette app answering FileResponse of the same bytes, each in
   its own uvicorn process, with a lean keep-alive client. Target: ours / peer >= 2.
3. A cheap first hit (a 2 MP JPEG to a 400 px WebP) while 4 heavy first hits (24 MP to a
   full-size WebP) are in flight, against the same cheap first hit on the idle server.
   Target: <= 2x the idle latency.

Every figure is printed next to its peer measured in the same run, with the ratio and PASS/FAIL
against its target; the exit status is 1 when any target fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyvips
import unlimited

ROOT = Path(__file__).resolve().parents[1]
THUMBOR_VENV = ROOT / "bench" / ".thumbor-venv"
THUMBOR_REQUIREMENT = "thumbor>=7,<8"

SOURCE_WIDTH, SOURCE_HEIGHT = 6000, 4000
WIDTH = 800
QUALITY = 80
CDN_QUERY = f"width={WIDTH}&format=webp&quality={QUALITY}"
THUMBOR_OPTIONS = f"/unsafe/{WIDTH}x0/filters:format(webp):quality({QUALITY})"

LATENCY_TARGET = 1.1  # ours / raw pyvips, median first-hit latency, at most
THROUGHPUT_TARGET = 1.3  # ours / each thumbor, first-hit requests per second, at least
RAW_THROUGHPUT_TARGET = 0.95  # ours / raw pyvips on all cores, at least
CACHED_TARGET = 2.0  # ours / FileResponse, cached requests per second, at least
UNDER_LOAD_TARGET = 2.0  # cheap first hit with heavy renders in flight / idle, at most

CHEAP_WIDTH, CHEAP_HEIGHT = 1600, 1200
CHEAP_QUERY = "width=400&format=webp&quality=80"
HEAVY_IN_FLIGHT = 4

OURS = "imgwired"
RAW = "raw pyvips"
THUMBOR = "thumbor"
THUMBOR_MP = "thumbor -p"  # one process per core
FILE = "FileResponse"
IDLE = "idle server"


@dataclass(frozen=True, slots=True)
class Budget:
    """How long each measurement runs; ``--quick`` shrinks everything."""

    latency_rounds: int  # first-hit latency rounds; each times all three contestants
    throughput_rounds: int  # first-hit throughput rounds, order alternated
    throughput_requests: int  # requests per contestant per throughput round
    concurrency: int  # concurrent clients in the throughput rounds
    cached_rounds: int  # cached-delivery rounds, order alternated
    cached_seconds: float  # duration of one cached-delivery round
    cached_connections: int  # keep-alive connections of the lean client
    cheap_requests: int  # cheap first hits timed idle, and again under heavy load


FULL = Budget(
    latency_rounds=9,
    throughput_rounds=4,
    throughput_requests=8,
    concurrency=4,
    cached_rounds=6,
    cached_seconds=1.0,
    cached_connections=8,
    cheap_requests=10,
)
QUICK = Budget(
    latency_rounds=3,
    throughput_rounds=1,
    throughput_requests=8,
    concurrency=4,
    cached_rounds=3,
    cached_seconds=0.5,
    cached_connections=8,
    cheap_requests=4,
)


@dataclass(slots=True)
class Result:
    """One comparison: our figure, the peer's, and whether their ratio meets the target."""

    name: str
    unit: str  # "ms" (lower is better) or "req/s" (higher is better)
    ours: float
    peer: float
    peer_label: str
    ratio: float  # ours / peer
    target: float | None  # None: informational

    @property
    def higher_is_better(self) -> bool:
        return self.unit == "req/s"

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target

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


def show(result: Result, note: str = "") -> None:
    say(
        f"  {result.name:<34} {OURS} {_figure(result.ours, result.unit):>12}  vs "
        f"{result.peer_label} {_figure(result.peer, result.unit):>12}   "
        f"ratio {result.ratio:5.3f} (target {result.target_text}) {result.verdict}"
    )
    if note:
        say(f"      {note}")


def _figure(value: float, unit: str) -> str:
    if unit == "req/s":
        return f"{value:,.1f} req/s"
    return f"{value:,.1f} {unit}"


# -- the source images -------------------------------------------------------------------------


def source_jpeg(w: int = SOURCE_WIDTH, h: int = SOURCE_HEIGHT) -> bytes:
    """A JPEG (Q=90, 24 MP by default) that compresses like a photo: colour gradients, fine
    grain and coarse texture that survives the downscale (at 24 MP the 800 px WebP is ~85 KB,
    the JPEG ~11 MB)."""
    xy = pyvips.Image.xyz(w, h)
    x, y = xy[0], xy[1]
    base = (x * (200 / w) + 30).bandjoin([y * (180 / h) + 40, ((x + y) * 0.01).sin() * 40 + 110])

    def noise(width: int, height: int, sigma: float, seed: int) -> pyvips.Image:
        bands = [
            pyvips.Image.gaussnoise(width, height, sigma=sigma, mean=0, seed=seed + band)
            for band in range(3)
        ]
        return bands[0].bandjoin(bands[1:])

    fine = noise(w, h, 6, 1)
    coarse = noise(w // 8, h // 8, 18, 10).resize(8, kernel="linear")
    image = (base + fine + coarse).cast("uchar")
    data: bytes = image.jpegsave_buffer(Q=90)
    return data


def distinct_copy(jpeg: bytes, number: int) -> bytes:
    """The same JPEG with a comment (COM segment) naming the copy: other bytes, another hash,
    the same decoding work. The comment goes after the leading APPn segments (JFIF, Exif), which
    readers expect right after the start of the image."""
    at = 2
    while jpeg[at] == 0xFF and 0xE0 <= jpeg[at + 1] <= 0xEF:
        at += 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
    comment = f"imgwired delivery bench, copy {number:04d}".encode()
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return jpeg[:at] + segment + jpeg[at:]


# -- child processes ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _clean_env() -> dict[str, str]:
    """This environment without IMGWIRED_* settings: the bench decides the configuration."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IMGWIRED_")}
    return {**clean, **unlimited.ENVIRONMENT}


@contextlib.contextmanager
def served(
    name: str, command: list[str], port: int, probe: str, cwd: Path, env: dict[str, str]
) -> Iterator[str]:
    """Run ``command`` (a server on ``port``) until the block ends; yields its base URL once
    ``probe`` answers."""
    # A session of its own: thumbor --processes forks workers, which must end with it.
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + probe, timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"the {name} server did not start")
            time.sleep(0.1)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _serve_imgwired(data_dir: str, port: int) -> None:
    """The app as shipped, jobs (upload processing) run by the server's own threads."""
    import uvicorn

    from imgwired.config import Settings
    from imgwired.web.app import create_app
    from imgwired.web.http_protocol import CanonicalCaseHttpToolsProtocol

    settings = Settings(
        data_dir=Path(data_dir),
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        run_jobs_in_process=True,
        **unlimited.SETTINGS,
    )
    app = create_app(settings)
    # The protocol `imgwired serve` runs: header names keep their canonical case on the wire.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        http=CanonicalCaseHttpToolsProtocol,
    )


def _serve_file(path: str, port: int) -> None:
    """The peer of cached delivery: one route, FileResponse of the rendition's bytes."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, Response
    from starlette.routing import Route

    async def rendition(request: Request) -> Response:
        return FileResponse(path, media_type="image/webp")

    app = Starlette(routes=[Route("/rendition.webp", rendition)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _script(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


# -- imgwired ----------------------------------------------------------------------------------


def _initialise(data_dir: Path) -> str:
    """`imgwired init` on a fresh data directory; returns the server key it printed."""
    env = {**_clean_env(), "IMGWIRED_DATA_DIR": str(data_dir)}
    init = subprocess.run(
        [sys.executable, "-m", "imgwired", "init", "--json"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
    )
    if init.returncode != 0:
        raise SystemExit(f"imgwired init failed:\n{init.stdout}{init.stderr}")
    key: str = json.loads(init.stdout)["server_key"]
    return key


@contextlib.contextmanager
def imgwired_server(data_dir: Path) -> Iterator[tuple[str, str]]:
    """imgwired in a child uvicorn process; yields (base URL, server key)."""
    data_dir.mkdir(parents=True)
    key = _initialise(data_dir)
    port = _free_port()
    command = _script("--serve-imgwired", str(data_dir), str(port))
    with served(OURS, command, port, "/health", data_dir, _clean_env()) as base:
        yield base, key


def upload_all(base: str, key: str, copies: Sequence[bytes], query: str = CDN_QUERY) -> list[str]:
    """Upload every copy (standard_upload, then PUT), wait until all are READY; their CDN URLs
    with ``query``."""
    headers = {"Authorization": f"Bearer {key}"}
    ids: list[str] = []
    cdn_urls: dict[str, str] = {}
    with httpx.Client(timeout=120) as client:
        for number, data in enumerate(copies):
            created = client.post(
                f"{base}/api/v1/images/standard_upload",
                json={"file_name": f"photo-{number:04d}.jpg", "content_length": len(data)},
                headers=headers,
            )
            created.raise_for_status()
            answer = created.json()
            put = client.put(
                answer["upload_url"], content=data, headers={"Content-Length": str(len(data))}
            )
            put.raise_for_status()
            ids.append(answer["image"]["id"])
        deadline = time.monotonic() + 60 + 10 * len(copies)
        pending = list(ids)
        while pending:
            image = client.get(f"{base}/api/v1/images/{pending[0]}", headers=headers)
            image.raise_for_status()
            body = image.json()
            if body["status"] == "READY":
                cdn_urls[pending.pop(0)] = body["cdn_url"]
                continue
            if body["status"] not in ("PENDING", "UPLOADED", "PROCESSING"):
                raise SystemExit(f"image {body['id']} ended {body['status']}: {body}")
            if time.monotonic() > deadline:
                raise SystemExit(f"image {body['id']} still {body['status']} after the deadline")
            time.sleep(0.2)
    return [f"{cdn_urls[image_id]}?{query}" for image_id in ids]


# -- thumbor -----------------------------------------------------------------------------------


def ensure_thumbor() -> Path:
    """bench/.thumbor-venv with thumbor installed (created on first use); its python."""
    python = THUMBOR_VENV / "bin" / "python"
    installed = python.exists() and (THUMBOR_VENV / "bin" / "thumbor").exists()
    if installed:
        check = subprocess.run([python, "-c", "import thumbor"], capture_output=True)
        installed = check.returncode == 0
    if not installed:
        say(f"Installing {THUMBOR_REQUIREMENT} into {THUMBOR_VENV} (first use only)...")
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(THUMBOR_VENV)], check=True)
        # Quiet unless it fails (pip's configuration here warns about every missing index).
        pip = subprocess.run(
            [python, "-m", "pip", "install", "--disable-pip-version-check", THUMBOR_REQUIREMENT],
            capture_output=True,
            text=True,
        )
        if pip.returncode != 0:
            raise SystemExit(f"pip install {THUMBOR_REQUIREMENT} failed:\n{pip.stdout}{pip.stderr}")
    return python


def thumbor_versions(python: Path) -> str:
    code = "import thumbor, PIL; print(f'thumbor {thumbor.__version__}, Pillow {PIL.__version__}')"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout


THUMBOR_CONF = """\
# Written by bench/delivery.py: every request loads the file and transforms it.
LOADER = 'thumbor.loaders.file_loader'
FILE_LOADER_ROOT_PATH = {root!r}
ALLOW_UNSAFE_URL = True
STORAGE = 'thumbor.storages.no_storage'
RESULT_STORAGE = 'thumbor.result_storages.no_storage'
QUALITY = {quality}
WEBP_QUALITY = {quality}
AUTO_WEBP = False
"""


@contextlib.contextmanager
def thumbor_server(python: Path, directory: Path, root: Path, processes: int = 1) -> Iterator[str]:
    """thumbor with its defaults (the PIL engine, no engine thread pool), in one process as
    shipped or, with ``processes``, that many forked processes sharing the port."""
    conf = directory / "thumbor.conf"
    conf.write_text(THUMBOR_CONF.format(root=str(root), quality=QUALITY))
    port = _free_port()
    command = [str(python.parent / "thumbor"), "--ip", "127.0.0.1", "--port", str(port)]
    command += ["--conf", str(conf), "--log-level", "error", "--processes", str(processes)]
    name = THUMBOR if processes == 1 else THUMBOR_MP
    with served(name, command, port, "/healthcheck", directory, _clean_env()) as base:
        yield base


# -- checks ------------------------------------------------------------------------------------


def check_webp(name: str, response: httpx.Response, width: int = WIDTH) -> None:
    """200, Content-Type image/webp, a WebP ``width`` px wide: else the figure means nothing."""
    content_type = response.headers.get("content-type", "")
    if response.status_code != 200 or not content_type.startswith("image/webp"):
        raise SystemExit(
            f"{name}: {response.request.url} answered {response.status_code} "
            f"{content_type!r}: {response.content[:300]!r}"
        )
    check_webp_bytes(name, response.content, width)


def check_webp_bytes(name: str, data: bytes, width: int = WIDTH) -> None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise SystemExit(f"{name}: the answer is not a WebP: {data[:32]!r}")
    actual = pyvips.Image.new_from_buffer(data, "").width
    if actual != width:
        raise SystemExit(f"{name}: the WebP is {actual} px wide, not {width}")


# -- 1. first-hit transforms -------------------------------------------------------------------


def raw_render(path: Path) -> tuple[float, bytes]:
    started = time.perf_counter()
    data: bytes = pyvips.Image.thumbnail(str(path), WIDTH).webpsave_buffer(Q=QUALITY)
    return time.perf_counter() - started, data


def timed_get(client: httpx.Client, url: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(url)
    return time.perf_counter() - started, response


def first_hit_latency(
    ours_urls: Sequence[str], thumbor_urls: Sequence[str], paths: Sequence[Path]
) -> tuple[dict[str, list[float]], list[Result]]:
    """One round per copy; in each, all three transform that copy, in a rotating order."""
    times: dict[str, list[float]] = {OURS: [], RAW: [], THUMBOR: []}
    contestants = (OURS, RAW, THUMBOR)
    with httpx.Client(timeout=120) as ours_client, httpx.Client(timeout=120) as thumbor_client:
        for round_, (ours_url, thumbor_url, path) in enumerate(
            zip(ours_urls, thumbor_urls, paths, strict=True)
        ):
            order = contestants[round_ % 3 :] + contestants[: round_ % 3]
            for name in order:
                if name == OURS:
                    elapsed, response = timed_get(ours_client, ours_url)
                    check_webp(OURS, response)
                elif name == THUMBOR:
                    elapsed, response = timed_get(thumbor_client, thumbor_url)
                    check_webp(THUMBOR, response)
                else:
                    elapsed, data = raw_render(path)
                    check_webp_bytes(RAW, data)
                times[name].append(elapsed)
    ms = {name: [t * 1000 for t in values] for name, values in times.items()}
    results = [
        _paired("first-hit latency", "ms", ms, RAW, LATENCY_TARGET),
        _paired("first-hit latency", "ms", ms, THUMBOR, None),
    ]
    return ms, results


async def _burst(urls: Sequence[str], concurrency: int) -> tuple[float, list[httpx.Response]]:
    """All ``urls`` fetched by ``concurrency`` clients, each taking the next URL when done."""
    queue = list(urls)
    responses: list[httpx.Response] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:

        async def worker() -> None:
            while queue:
                url = queue.pop(0)
                responses.append(await client.get(url))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, responses


def _raw_burst(paths: Sequence[Path], concurrency: int) -> float:
    """raw_render of every path by ``concurrency`` threads of this process (libvips drops the
    GIL); checks each WebP after the clock stops."""
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        outputs = list(pool.map(raw_render, paths))
    elapsed = time.perf_counter() - started
    for _, data in outputs:
        check_webp_bytes(RAW, data)
    return elapsed


def first_hit_throughput(
    urls: dict[str, Sequence[str]], paths: Sequence[Path], budget: Budget
) -> tuple[dict[str, list[float]], list[Result]]:
    """Rounds of ``throughput_requests`` first hits per contestant, order rotated each round;
    requests/second of every round. ``urls`` names the HTTP contestants (ours first); raw
    pyvips renders the same files on as many threads as there are clients (libvips drops the
    GIL), the ceiling of libvips alone on this machine."""
    n = budget.throughput_requests
    contestants = (*urls, RAW)
    rates: dict[str, list[float]] = {name: [] for name in contestants}
    for round_ in range(budget.throughput_rounds):
        batch = slice(round_ * n, (round_ + 1) * n)
        turn = round_ % len(contestants)
        for name in contestants[turn:] + contestants[:turn]:
            if name == RAW:
                seconds = _raw_burst(paths[batch], budget.concurrency)
            else:
                seconds, responses = asyncio.run(_burst(urls[name][batch], budget.concurrency))
                if len(responses) != n:
                    raise SystemExit(f"{name}: {len(responses)} answers to {n} requests")
                for response in responses:
                    check_webp(name, response)
            rates[name].append(n / seconds)
    targets = {THUMBOR: THROUGHPUT_TARGET, THUMBOR_MP: THROUGHPUT_TARGET}
    targets[RAW] = RAW_THROUGHPUT_TARGET
    results = [
        _paired("first-hit throughput", "req/s", rates, peer, targets[peer])
        for peer in contestants
        if peer != OURS
    ]
    return rates, results


def _paired(
    name: str, unit: str, samples: dict[str, list[float]], peer: str, target: float | None
) -> Result:
    """Medians of ours and the peer's rounds; the ratio is the median of per-round ratios (each
    round measures both back to back, so a slow stretch of the machine hits both)."""
    pairs = [o / p for o, p in zip(samples[OURS], samples[peer], strict=True)]
    return Result(
        name,
        unit,
        statistics.median(samples[OURS]),
        statistics.median(samples[peer]),
        peer,
        statistics.median(pairs),
        target,
    )


def _spread(samples: dict[str, list[float]], peer: str) -> str:
    pairs = [o / p for o, p in zip(samples[OURS], samples[peer], strict=True)]
    medians = statistics.median(samples[OURS]) / statistics.median(samples[peer])
    return (
        f"ratio: the median of per-round ratios ({min(pairs):.2f}..{max(pairs):.2f}); "
        f"ratio of medians {medians:.3f}"
    )


# -- 3. a cheap render while heavy ones run ----------------------------------------------------


async def _cheap_hits(urls: Sequence[str]) -> list[float]:
    """Each URL fetched once, one after another; milliseconds each (checked after the clock)."""
    times: list[float] = []
    async with httpx.AsyncClient(timeout=120) as client:
        for url in urls:
            started = time.perf_counter()
            response = await client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            check_webp(OURS, response, 400)
    return times


async def _keep_heavy_in_flight(heavy_cdn_url: str) -> None:
    """The load of figure 3, run in a process of its own so that reading large answers never
    delays the timed client: ``HEAVY_IN_FLIGHT`` clients ask for full-size WebPs of a 24 MP
    source, each a first hit (a new quality each time), until the process is ended."""
    qualities = iter(range(30, 101))
    base = heavy_cdn_url.split("?")[0]

    async def keep_heavy(client: httpx.AsyncClient) -> None:
        for quality in qualities:
            query = f"width={SOURCE_WIDTH}&format=webp&quality={quality}"
            response = await client.get(f"{base}?{query}")
            if response.status_code != 200:
                raise SystemExit(f"a heavy render answered {response.status_code}: {response.text}")

    limits = httpx.Limits(max_connections=HEAVY_IN_FLIGHT)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        await asyncio.gather(*(keep_heavy(client) for _ in range(HEAVY_IN_FLIGHT)))


@contextlib.contextmanager
def heavy_load(heavy_cdn_url: str) -> Iterator[None]:
    """Heavy first hits in flight for the duration of the block; when it ends their clients
    leave, which stops the renders."""
    load = subprocess.Popen(_script("--heavy-load", heavy_cdn_url), start_new_session=True)
    try:
        time.sleep(1.0)  # the server takes the heavy requests and starts rendering
        if load.poll() is not None:
            raise SystemExit("the heavy load ended early")
        yield
    finally:
        load.terminate()
        load.wait(15)


def part_three(base: str, key: str, heavy_cdn_url: str, budget: Budget) -> Result:
    n = budget.cheap_requests
    say(
        f"\n3. Cheap first hit: {CHEAP_WIDTH}x{CHEAP_HEIGHT} JPEG -> 400 px WebP, {n} requests "
        f"one at a time, on the idle server (half before, half after) and while "
        f"{HEAVY_IN_FLIGHT} heavy first hits ({SOURCE_WIDTH}x{SOURCE_HEIGHT} -> full-size WebP, "
        "each one replaced by another as it finishes) are in flight"
    )
    small = source_jpeg(CHEAP_WIDTH, CHEAP_HEIGHT)
    copies = [distinct_copy(small, 1000 + number) for number in range(2 * n + 1)]
    urls = upload_all(base, key, copies, CHEAP_QUERY)
    asyncio.run(_cheap_hits(urls[:1]))  # warm-up
    idle = asyncio.run(_cheap_hits(urls[1 : 1 + n // 2]))
    with heavy_load(heavy_cdn_url):
        loaded = asyncio.run(_cheap_hits(urls[1 + n // 2 : 1 + n + n // 2]))
    idle += asyncio.run(_cheap_hits(urls[1 + n + n // 2 :]))
    idle_ms, loaded_ms = statistics.median(idle), statistics.median(loaded)
    result = Result(
        f"cheap first hit, {HEAVY_IN_FLIGHT} heavy",
        "ms",
        loaded_ms,
        idle_ms,
        IDLE,
        loaded_ms / idle_ms,
        UNDER_LOAD_TARGET,
    )
    show(result, "ratio: median under load / median idle")
    say(f"      ms idle        {[round(v, 1) for v in idle]}")
    say(f"      ms under load  {[round(v, 1) for v in loaded]}")
    return result


# -- 2. cached delivery ------------------------------------------------------------------------


def raw_get(target: str) -> bytes:
    """A pre-encoded keep-alive GET for ``target`` (an absolute URL on loopback)."""
    url = httpx.URL(target)
    path = url.raw_path.decode("ascii")
    host = f"{url.host}:{url.port}"
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode()


async def _fetch_once(port: int, request: bytes) -> bytes:
    """One request through the lean client's parsing: the body it reads."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        head = (await reader.readuntil(b"\r\n\r\n")).lower()
        _check_head(head)
        return await reader.readexactly(_length(head))
    finally:
        writer.close()
        await writer.wait_closed()


def _check_head(head: bytes) -> None:
    if not head.startswith(b"http/1.1 200 ") or b"\r\ncontent-type: image/webp" not in head:
        raise RuntimeError(f"unexpected response to the bench: {head[:400]!r}")


def _length(head: bytes) -> int:
    length = head.partition(b"\r\ncontent-length:")[2].partition(b"\r\n")[0]
    if not length.strip():
        raise RuntimeError(f"no Content-Length in {head[:400]!r}")
    return int(length)


async def http_round(port: int, request: bytes, seconds: float, connections: int) -> float:
    """Requests/second from ``connections`` keep-alive connections for ``seconds``.

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
                _check_head(head)
                await reader.readexactly(_length(head))
                done += 1
        finally:
            writer.close()
            await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return done / (time.perf_counter() - started)


async def cached_delivery(
    targets: dict[str, str], expected: bytes, budget: Budget
) -> tuple[dict[str, list[float]], Result]:
    ports = {name: int(httpx.URL(url).port or 80) for name, url in targets.items()}
    requests = {name: raw_get(url) for name, url in targets.items()}
    for name in targets:  # the same bytes from both, through the client the rounds use
        if await _fetch_once(ports[name], requests[name]) != expected:
            raise SystemExit(f"{name}: the cached rendition differs from the first hit's bytes")
    for name in targets:  # warm up
        await http_round(ports[name], requests[name], 0.5, budget.cached_connections)
    rates: dict[str, list[float]] = {OURS: [], FILE: []}
    for round_ in range(budget.cached_rounds):
        for name in (OURS, FILE) if round_ % 2 == 0 else (FILE, OURS):
            rate = await http_round(
                ports[name], requests[name], budget.cached_seconds, budget.cached_connections
            )
            rates[name].append(rate)
    result = _paired("cached delivery throughput", "req/s", rates, FILE, CACHED_TARGET)
    return rates, result


# -- main --------------------------------------------------------------------------------------


def header(quick: bool, thumbor: str) -> None:
    vips = f"{pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}"
    say(
        f"imgwired delivery bench ({'quick' if quick else 'full'}): "
        f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.processor() or '?'}), "
        f"Python {platform.python_version()}, libvips {vips} (pyvips {pyvips.__version__}), "
        f"{thumbor.strip()}"
    )
    say(f"Load average at the start: {_load()}")
    if os.getloadavg()[0] >= 0.5 * (os.cpu_count() or 1):
        say("  The machine is busy: other processes take CPU from the contestants unevenly.")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(budget: Budget, python: Path) -> list[Result]:
    results: list[Result] = []
    latency_copies = budget.latency_rounds
    throughput_copies = budget.throughput_rounds * budget.throughput_requests
    count = 1 + latency_copies + throughput_copies  # the first one warms up, then is cached
    with tempfile.TemporaryDirectory(prefix="imgwired-delivery-bench-") as tmp:
        directory = Path(tmp)
        sources = directory / "sources"
        sources.mkdir()
        started = time.perf_counter()
        jpeg = source_jpeg()
        copies = [distinct_copy(jpeg, number) for number in range(count)]
        paths = [sources / f"photo-{number:04d}.jpg" for number in range(count)]
        for path, data in zip(paths, copies, strict=True):
            path.write_bytes(data)
        say(
            f"Source: {SOURCE_WIDTH}x{SOURCE_HEIGHT} JPEG Q=90, {len(jpeg) / 1e6:.1f} MB, "
            f"{count} copies differing only in a comment ({time.perf_counter() - started:.1f} s)"
        )
        with imgwired_server(directory / "data") as (ours_base, key):
            started = time.perf_counter()
            ours_urls = upload_all(ours_base, key, copies)
            say(
                f"Uploaded the {count} copies to imgwired, all READY "
                f"({time.perf_counter() - started:.1f} s)"
            )
            cores = os.cpu_count() or 1
            with (
                thumbor_server(python, directory, sources) as thumbor_base,
                thumbor_server(python, directory, sources, cores) as thumbor_mp_base,
            ):
                thumbor_urls = [f"{thumbor_base}{THUMBOR_OPTIONS}/{path.name}" for path in paths]
                thumbor_mp_urls = [
                    f"{thumbor_mp_base}{THUMBOR_OPTIONS}/{path.name}" for path in paths
                ]
                rendition = warm_up(ours_urls[0], thumbor_urls[0], paths[0])
                check_webp(THUMBOR_MP, httpx.get(thumbor_mp_urls[0], timeout=120))
                results += part_one(
                    ours_urls[1:], thumbor_urls[1:], thumbor_mp_urls[1:], paths[1:], budget
                )
            results.append(part_three(ours_base, key, ours_urls[0], budget))
            results.append(part_two(ours_urls[0], rendition, directory, budget))
    return results


def warm_up(ours_url: str, thumbor_url: str, path: Path) -> bytes:
    """First-use costs (imports, codecs, thread pools) of all three, untimed; returns our
    rendition, which figure 2 then fetches from the cache."""
    with httpx.Client(timeout=120) as client:
        first = client.get(ours_url)
        check_webp(OURS, first)
        check_webp(THUMBOR, client.get(thumbor_url))
    check_webp_bytes(RAW, raw_render(path)[1])
    return first.content


def part_one(
    ours_urls: Sequence[str],
    thumbor_urls: Sequence[str],
    thumbor_mp_urls: Sequence[str],
    paths: Sequence[Path],
    budget: Budget,
) -> list[Result]:
    n = budget.latency_rounds
    say(
        f"\n1. First hit: {SOURCE_WIDTH}x{SOURCE_HEIGHT} JPEG -> {WIDTH} px wide WebP "
        f"(Q={QUALITY}); {n} rounds, one request at a time, order rotated each round"
    )
    ms, latency = first_hit_latency(ours_urls[:n], thumbor_urls[:n], paths[:n])
    for result in latency:
        show(result, _spread(ms, result.peer_label))
    for name in (OURS, RAW, THUMBOR):
        say(f"      per-round ms    {name:<10} {[round(v, 1) for v in ms[name]]}")

    say(
        f"\n1b. First-hit throughput: {budget.throughput_rounds} round(s) of "
        f"{budget.throughput_requests} requests each, {budget.concurrency} concurrent clients, "
        f"order rotated each round; thumbor as shipped and with {os.cpu_count()} processes, "
        f"raw pyvips on {budget.concurrency} threads"
    )
    urls = {OURS: ours_urls[n:], THUMBOR: thumbor_urls[n:], THUMBOR_MP: thumbor_mp_urls[n:]}
    rates, throughput = first_hit_throughput(urls, paths[n:], budget)
    for result in throughput:
        show(result, _spread(rates, result.peer_label))
    for name in rates:
        say(f"      per-round req/s {name:<10} {[round(r, 2) for r in rates[name]]}")
    return [*latency, *throughput]


def part_two(cdn_url: str, rendition: bytes, directory: Path, budget: Budget) -> Result:
    say(
        f"\n2. Cached delivery of one {len(rendition) / 1000:.1f} KB rendition: the imgwired CDN "
        "URL (a cache hit every time) vs Starlette FileResponse of the same bytes; "
        f"{budget.cached_rounds} rounds of {budget.cached_seconds:g} s, "
        f"{budget.cached_connections} keep-alive connections, order alternated"
    )
    path = directory / "rendition.webp"
    path.write_bytes(rendition)
    port = _free_port()
    command = _script("--serve-file", str(path), str(port))
    with served(FILE, command, port, "/rendition.webp", directory, _clean_env()) as base:
        targets = {OURS: cdn_url, FILE: f"{base}/rendition.webp"}
        rates, cached = asyncio.run(cached_delivery(targets, rendition, budget))
    show(cached, _spread(rates, FILE))
    for name in (OURS, FILE):
        say(f"      per-round req/s {name:<12} {[round(r) for r in rates[name]]}")
    return cached


def summary(results: Sequence[Result]) -> None:
    say("\nSummary (ratio: ours / peer)")
    line = f"  {'measurement':<30} {'ours':>14} {'peer':>14} {'peer is':<13} {'ratio':>6}"
    line += f" {'target':>8}"
    say(line + "  verdict")
    say("  " + "-" * (len(line) + 6))
    for r in results:
        say(
            f"  {r.name:<30} {_figure(r.ours, r.unit):>14} {_figure(r.peer, r.unit):>14} "
            f"{r.peer_label:<13} {r.ratio:>6.3f} {r.target_text:>8}  {r.verdict}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    summary_line = " ".join((__doc__ or "").split("\n\n")[0].split())
    parser = argparse.ArgumentParser(description=summary_line)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests")
    # Internal: the child processes.
    parser.add_argument(
        "--serve-imgwired", nargs=2, metavar=("DIR", "PORT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--serve-file", nargs=2, metavar=("PATH", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--heavy-load", metavar="CDN_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.heavy_load:
        asyncio.run(_keep_heavy_in_flight(args.heavy_load))
        return 0
    if args.serve_imgwired:
        _serve_imgwired(args.serve_imgwired[0], int(args.serve_imgwired[1]))
        return 0
    if args.serve_file:
        _serve_file(args.serve_file[0], int(args.serve_file[1]))
        return 0
    started = time.perf_counter()
    python = ensure_thumbor()
    header(args.quick, thumbor_versions(python))
    # No libvips operation cache in this process: every raw render decodes and encodes.
    pyvips.cache_set_max(0)
    results = run(QUICK if args.quick else FULL, python)
    summary(results)
    targets = [r for r in results if r.passed is not None]
    failed = [f"{r.name} vs {r.peer_label}" for r in targets if not r.passed]
    say(f"\nTotal time {time.perf_counter() - started:.1f} s; load average at the end: {_load()}.")
    if failed:
        say(f"FAIL ({len(failed)} of {len(targets)} targets): {'; '.join(failed)}")
        return 1
    say(f"PASS: all {len(targets)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
