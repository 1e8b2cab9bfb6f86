"""Scaling out on one machine: ``imgwired serve --workers 2`` against ``--workers 1``.

Run from the repository root::

    .venv/bin/python bench/scale.py                      # SQLite in a temporary directory
    .venv/bin/python bench/scale.py --database-url postgresql://postgres@127.0.0.1/test
    .venv/bin/python bench/scale.py --quick              # fewer, shorter rounds (a smoke test)

Both servers are real ``imgwired serve`` processes on loopback, started side by side on one
database and one blob store (with ``--database-url``, a database of the bench's own is created
on that PostgreSQL server and dropped afterwards). Figures, each measured in interleaved rounds
(1 process, 2 processes, then 2, 1, ...) with a lean keep-alive client:

1. ``GET /api/v1/images/{id}`` with the server key (a read of one record);
2. ``POST /api/v1/images/standard_upload`` with the server key (each creates a record);
3. cached delivery: a CDN URL already rendered (every request a cache hit).

The ratio is the median of per-round ratios (2 processes / 1 process); there is no target: what
a second process can add depends on the cores the machine has left once the client has its
share. See bench/README.md.
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
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyvips
import unlimited
import uvloop

ONE, TWO = "1 process", "2 processes"


@dataclass(frozen=True, slots=True)
class Budget:
    rounds: int  # per figure, alternating which topology goes first
    seconds: float  # one round of one topology
    connections: int  # keep-alive connections of the client


FULL = Budget(rounds=8, seconds=1.0, connections=16)
QUICK = Budget(rounds=3, seconds=0.5, connections=16)


def say(text: str = "") -> None:
    print(text, flush=True)


# -- the servers -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(database_url: str, blobs: Path) -> dict[str, str]:
    """This environment without IMGWIRED_* settings but those of the bench."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGWIRED_")}
    env.update(IMGWIRED_DATABASE_URL=database_url, IMGWIRED_BLOB_STORE_URL=str(blobs))
    env.update(unlimited.ENVIRONMENT)
    return env


@contextlib.contextmanager
def imgwired_serve(env: dict[str, str], data_dir: Path, workers: int) -> Iterator[int]:
    """``imgwired serve --workers N`` on a free port until the block ends; yields the port
    once every process answers."""
    port = _free_port()
    log = (data_dir.parent / f"serve-{workers}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "imgwired", "serve", "--workers", str(workers)],
        env={**env, "IMGWIRED_DATA_DIR": str(data_dir), "IMGWIRED_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while Path(log.name).read_text().count("Application startup complete") < workers:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"imgwired serve --workers {workers} did not start: {log.name}")
            time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextlib.contextmanager
def database(url: str | None, directory: Path) -> Iterator[str]:
    """SQLite in ``directory``, or a new database on the PostgreSQL server ``url`` names."""
    if not url:
        yield f"sqlite:///{directory / 'imgwired.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from imgwired.config import normalise_database_url

    server = make_url(normalise_database_url(url))
    name = f"imgwired_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def initialise(env: dict[str, str], data_dir: Path) -> str:
    """``imgwired init`` once for both servers; the server key it printed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    init = subprocess.run(
        [sys.executable, "-m", "imgwired", "init", "--json"],
        env={**env, "IMGWIRED_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
    )
    if init.returncode != 0:
        raise SystemExit(f"imgwired init failed:\n{init.stdout}{init.stderr}")
    key: str = json.loads(init.stdout)["server_key"]
    return key


def uploaded_image(port: int, key: str) -> tuple[str, str]:
    """One JPEG uploaded and processed; its id and the path of a rendition, rendered once."""
    image = pyvips.Image.gaussnoise(1200, 800, sigma=40).cast("uchar")
    data: bytes = image.bandjoin([image, image]).jpegsave_buffer(Q=85)
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
        created = client.post(
            "/api/v1/images/standard_upload",
            json={"file_name": "bench.jpg", "content_length": len(data)},
        ).json()
        upload = httpx.URL(created["upload_url"])
        sent = client.put(upload.raw_path.decode(), content=data)
        if sent.status_code != 200:
            raise SystemExit(f"the upload failed: {sent.text}")
        image_id = created["image"]["id"]
        deadline = time.monotonic() + 60
        while (body := client.get(f"/api/v1/images/{image_id}").json())["status"] != "READY":
            if time.monotonic() > deadline:
                raise SystemExit(f"the image was not processed: {body}")
            time.sleep(0.1)
        rendition = httpx.URL(body["cdn_url"]).raw_path.decode() + "?width=320&format=webp"
        if client.get(rendition).status_code != 200:
            raise SystemExit("the first hit of the rendition failed")
    return image_id, rendition


# -- the client --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    request: Callable[[int], bytes]  # the pre-encoded request, for a port
    expected_status: bytes


def _request(
    method: str, path: str, key: str | None = None, body: bytes = b""
) -> Callable[[int], bytes]:
    def encoded(port: int) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: */*"]
        if key:
            lines.append(f"Authorization: Bearer {key}")
        if body or method == "POST":
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    return encoded


async def http_round(
    port: int, request: bytes, status: bytes, seconds: float, connections: int
) -> float:
    """Requests per second from ``connections`` keep-alive connections for ``seconds``.

    A lean client (pre-encoded request, minimal parsing), as in bench/delivery.py: httpx would
    spend more CPU per request than the server and set the pace itself.
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
                if not head.startswith(b"http/1.1 " + status):
                    raise RuntimeError(f"unexpected response: {head[:300]!r}")
                length = head.partition(b"\r\ncontent-length:")[2].partition(b"\r\n")[0]
                await reader.readexactly(int(length))
                done += 1
        finally:
            writer.close()
            await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return done / (time.perf_counter() - started)


async def measure(figure: Figure, ports: dict[str, int], budget: Budget) -> dict[str, list[float]]:
    for port in ports.values():  # warm up: connections, caches, every process
        await http_round(port, figure.request(port), figure.expected_status, 0.5, 16)
    rates: dict[str, list[float]] = {name: [] for name in ports}
    for round_ in range(budget.rounds):
        for name in (ONE, TWO) if round_ % 2 == 0 else (TWO, ONE):
            port = ports[name]
            rates[name].append(
                await http_round(
                    port,
                    figure.request(port),
                    figure.expected_status,
                    budget.seconds,
                    budget.connections,
                )
            )
    return rates


# -- main --------------------------------------------------------------------------------------


def report(figure: Figure, rates: dict[str, list[float]]) -> tuple[str, float, float, float]:
    one, two = statistics.median(rates[ONE]), statistics.median(rates[TWO])
    ratios = [b / a for a, b in zip(rates[ONE], rates[TWO], strict=True)]
    ratio = statistics.median(ratios)
    say(
        f"  {figure.name:<34} {ONE} {one:>9,.1f} req/s   {TWO} {two:>9,.1f} req/s   "
        f"ratio {ratio:5.3f}"
    )
    say(
        f"      per-round ratios {min(ratios):.3f}-{max(ratios):.3f}; "
        f"ratio of medians {two / one:.3f}"
    )
    return figure.name, one, two, ratio


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to create the bench's database on"
    )
    args = parser.parse_args(argv)
    budget = QUICK if args.quick else FULL
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    say(
        f"imgwired scale bench: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load:.2f}, {'quick' if args.quick else 'full'} run, "
        f"{budget.rounds} rounds of {budget.seconds} s, {budget.connections} connections"
    )
    with tempfile.TemporaryDirectory(prefix="imgwired-scale-") as temporary:
        root = Path(temporary)
        with database(args.database_url, root) as url:
            env = _environment(url, root / "blobs")
            say(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
            key = initialise(env, root / "one")
            with (
                imgwired_serve(env, root / "one", 1) as one,
                imgwired_serve(env, root / "two", 2) as two,
            ):
                image_id, rendition = uploaded_image(one, key)
                figures = [
                    Figure(
                        "GET /api/v1/images/{id}",
                        _request("GET", f"/api/v1/images/{image_id}", key),
                        b"200",
                    ),
                    Figure(
                        "POST standard_upload",
                        _request(
                            "POST",
                            "/api/v1/images/standard_upload",
                            key,
                            b'{"file_name": "a.jpg"}',
                        ),
                        b"200",
                    ),
                    Figure("cached delivery", _request("GET", rendition), b"200"),
                ]
                ports = {ONE: one, TWO: two}
                results = []
                with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                    for figure in figures:
                        results.append(report(figure, runner.run(measure(figure, ports, budget))))
    say()
    say("| figure | 1 process | 2 processes | ratio |")
    say("|---|---|---|---|")
    for name, one_rate, two_rate, ratio in results:
        say(f"| {name} | {one_rate:,.0f} req/s | {two_rate:,.0f} req/s | {ratio:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
