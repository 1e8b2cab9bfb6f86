"""Benchmark: listing images when one environment holds a million of them.

For each database (SQLite and PostgreSQL), a fresh imgwired database is seeded with ``--images``
images (1,000,000 by default) in one environment and ``--small`` (a tenth of that) in another,
through ``ImageService.import_records``, the bulk path that keeps the list's count and blocks as
one upload does; then every fourth image of a stretch in the middle of the big list is deleted
through ``ImageService.bulk_delete``, so the counts and pages are those of a list with holes.
The app as shipped serves in a child uvicorn process on loopback, and a keep-alive httpx client
sends 50 sequential requests per figure (after 5 untimed ones), in 10 rounds of 5 with the order
of the figures rotated each round, so that a busy stretch of the machine hits all alike:

- ``GET /api/v1/images?page=P&limit=100`` for page 1, page 50, the middle page (5000 of 10,000 at
  a million images), the last page;
- ``GET /api/v1/images?page=1&limit=1``; ``GET /api/v1/images/{id}`` of images from the middle.

Every answer is checked outside the timing: status 200, ``X-Total-Count`` equal to the count of
live images, the number of items; the middle page's ids are compared with a plain
``ORDER BY list_seq DESC OFFSET`` read straight from the database. The target (DESIGN.md, section
11): p50 <= 20 ms for each list figure, in both environments. Exit status 1 when one misses.

PostgreSQL: the bench creates (and afterwards drops) the database ``imgwired_bench`` on the
server of ``--postgres-url`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import unlimited

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 20.0
LIMIT = 100
BATCH = 10_000
WARM_UP = 5
BENCH_DATABASE = "imgwired_bench"


def say(text: str = "") -> None:
    print(text, flush=True)


@dataclass(frozen=True, slots=True)
class Figure:
    database: str
    environment: str
    name: str
    p50: float
    p95: float
    target: float | None  # None: informational

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "info"
        return "PASS" if self.p50 <= self.target else "FAIL"


def plain_page(session: Any, environment_id: uuid.UUID, offset: int, limit: int) -> list[uuid.UUID]:
    """The ids of a page as a plain ORDER BY / OFFSET over the live images reads them: what
    every answer is checked against (slow at a million images, and never timed)."""
    from sqlalchemy import select

    from imgwired.db.models import Image

    query = (
        select(Image.id)
        .where(Image.environment_id == environment_id, Image.deleted_at.is_(None))
        .order_by(Image.list_seq.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(query))


# -- seeding -----------------------------------------------------------------------------------


def _records(count: int, start: int) -> list[dict[str, Any]]:
    from imgwired.db.base import utcnow
    from imgwired.db.models import ImageStatus

    expires = utcnow() + timedelta(hours=1)
    return [
        {
            "original_filename": f"photo-{start + n:07d}.jpg",
            "mime_type": "image/jpeg",
            "extension": "jpg",
            "status": ImageStatus.READY,
            "width": 4000,
            "height": 3000,
            "size_bytes": 2_500_000,
            "upload_limit_bytes": 50 << 20,
            "upload_expires_at": expires,
            "custom_metadata": {"album": f"a{(start + n) % 97}"},
        }
        for n in range(count)
    ]


@dataclass(frozen=True, slots=True)
class Seeded:
    big: uuid.UUID
    small: uuid.UUID
    big_key: str
    small_key: str
    counts: dict[uuid.UUID, int]


def seed(database_url: str, data_dir: Path, big: int, small: int) -> Seeded:
    """A migrated database with the two environments filled; the keys to read them."""
    from imgwired.accounts.api_keys import NewApiKey
    from imgwired.config import Settings
    from imgwired.container import Services
    from imgwired.db import migrate
    from imgwired.db.engine import Database
    from imgwired.db.models import ApiKeyType

    settings = Settings(data_dir=data_dir, database_url=database_url, run_jobs_in_process=False)
    database = Database(database_url)
    migrate.upgrade(database)
    services = Services.build(settings, database)
    init = services.organization.initialize(environment_name="production")
    other = services.environments.create(init.organization.id, name="small")
    other_key = services.api_keys.create(other.id, NewApiKey("bench", ApiKeyType.SERVER))
    started = time.perf_counter()
    for environment_id, count in ((init.environment.id, big), (other.id, small)):
        for start in range(0, count, BATCH):
            services.images.import_records(
                environment_id, _records(min(BATCH, count - start), start)
            )
    seeded = time.perf_counter() - started
    say(f"  seeded {big + small:,} images in {seeded:.0f} s ({(big + small) / seeded:,.0f}/s)")
    # Holes in the middle of the big list: every fourth image of a stretch of 20,000.
    with database.snapshot() as session:
        stretch = plain_page(session, init.environment.id, max(0, big // 2 - 10_000), 20_000)
    doomed = stretch[::4]
    for start in range(0, len(doomed), 1000):
        services.images.bulk_delete(init.environment.id, doomed[start : start + 1000])
    if database.dialect == "postgresql":
        # What autovacuum does after a bulk load: statistics, and the visibility map that lets
        # index-only scans skip the table.
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    counts = {init.environment.id: big - len(doomed), other.id: small}
    database.dispose()
    return Seeded(init.environment.id, other.id, init.server_key.secret, other_key.secret, counts)


# -- the server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve_imgwired(data_dir: str, database_url: str, port: int) -> None:
    """The app as shipped; no job threads, so no periodic sweep runs during the figures."""
    import uvicorn

    from imgwired.config import Settings
    from imgwired.web.app import create_app
    from imgwired.web.http_protocol import CanonicalCaseHttpToolsProtocol

    settings = Settings(
        data_dir=Path(data_dir),
        database_url=database_url,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        run_jobs_in_process=False,
        **unlimited.SETTINGS,
    )
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        http=CanonicalCaseHttpToolsProtocol,
    )


@contextlib.contextmanager
def served(data_dir: Path, database_url: str) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGWIRED_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve",
        str(data_dir),
        database_url,
        str(port),
    ]
    process = subprocess.Popen(command, cwd=data_dir, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the imgwired server did not start")
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


# -- measuring ---------------------------------------------------------------------------------


ROUNDS = 10  # the timed requests of each figure are spread over this many rounds


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)]


def _check_page(
    response: httpx.Response, *, total: int, page: int, limit: int, ids: list[str] | None
) -> None:
    """The answer is a page of the list: the exact count, as many items as the page holds, and
    (when given) the ids of a plain ORDER BY / OFFSET."""
    assert response.status_code == 200, response.text
    assert response.headers["X-Total-Count"] == str(total)
    items = response.json()
    assert len(items) == max(0, min(limit, total - (page - 1) * limit)), len(items)
    if ids is not None:
        assert [item["id"] for item in items] == ids


def _check_image(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.request.url.path.endswith(response.json()["id"])


def measure(
    base: str, database_url: str, seeded: Seeded, label: str, requests: int
) -> list[Figure]:
    from imgwired.db.engine import Database

    figures = []
    database = Database(database_url)
    for name, environment_id, key in (
        ("big", seeded.big, seeded.big_key),
        ("small", seeded.small, seeded.small_key),
    ):
        total = seeded.counts[environment_id]
        last = (total - 1) // LIMIT + 1
        middle = (last + 1) // 2
        with database.snapshot() as session:
            middle_ids = [
                str(i) for i in plain_page(session, environment_id, (middle - 1) * LIMIT, LIMIT)
            ]
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            cases = [
                ("page 1", 1, LIMIT),
                ("page 50", 50, LIMIT),
                (f"page {middle} (middle)", middle, LIMIT),
                (f"page {last} (last)", last, LIMIT),
                ("limit=1", 1, 1),
            ]
            probes: list[tuple[str, list[str], Any]] = []
            for title, page, limit in cases:
                url = f"/api/v1/images/?page={page}&limit={limit}"
                expected = middle_ids if page == middle and limit == LIMIT else None
                check = partial(_check_page, total=total, page=page, limit=limit, ids=expected)
                probes.append((title, [url], check))
            by_id = [f"/api/v1/images/{i}" for i in middle_ids]
            probes.append(("GET by id", by_id, _check_image))
            timings: dict[str, list[float]] = {title: [] for title, _, _ in probes}
            for _, urls, check in probes:  # untimed warm-up
                for n in range(WARM_UP):
                    check(client.get(urls[n % len(urls)]))
            # Rounds, the order of the figures rotated each time: a busy stretch of the machine
            # hits every figure alike.
            per_round = max(1, requests // ROUNDS)
            for round_ in range(ROUNDS):
                shift = round_ % len(probes)
                for title, urls, check in probes[shift:] + probes[:shift]:
                    for n in range(per_round):
                        url = urls[(round_ * per_round + n) % len(urls)]
                        started = time.perf_counter()
                        response = client.get(url)
                        timings[title].append((time.perf_counter() - started) * 1000)
                        check(response)
            for title, _, _ in probes:
                p50, p95 = _percentiles(timings[title])
                target = None if title == "GET by id" else TARGET_MS
                figures.append(Figure(label, name, title, p50, p95, target))
                say(f"  {label:<10} {name:<6} {title:<24} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    database.dispose()
    return figures


# -- databases ---------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(server_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    try:
        url = server.set(drivername="postgresql+psycopg", database=BENCH_DATABASE)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        admin.dispose()


def run(label: str, database_url: str, data_dir: Path, args: argparse.Namespace) -> list[Figure]:
    say(f"{label}: {args.images:,} + {args.small:,} images")
    seeded = seed(database_url, data_dir, args.images, args.small)
    with served(data_dir, database_url) as base:
        before = os.getloadavg()[0]
        figures = measure(base, database_url, seeded, label, args.requests)
        say(
            f"  load average (1 min): {before:.1f} before the figures, "
            f"{os.getloadavg()[0]:.1f} after"
        )
        return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1_000_000, help="the big environment")
    parser.add_argument("--small", type=int, help="the other environment (default: a tenth)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per figure")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve_imgwired(args.serve[0], args.serve[1], int(args.serve[2]))
        return 0
    if args.small is None:
        args.small = max(1, args.images // 10)
    say(f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="imgwired-list-bench-") as tmp:
        if args.database in ("sqlite", "both"):
            data_dir = Path(tmp) / "sqlite"
            data_dir.mkdir()
            url = f"sqlite:///{data_dir / 'imgwired.db'}"
            figures += run("SQLite", url, data_dir, args)
        if args.database in ("postgresql", "both"):
            data_dir = Path(tmp) / "postgresql"
            data_dir.mkdir()
            with postgres_database(args.postgres_url) as url:
                figures += run("PostgreSQL", url, data_dir, args)
    say()
    say("| database | environment | figure | p50 ms | p95 ms | target p50 | verdict |")
    say("|---|---|---|---|---|---|---|")
    for f in figures:
        target = f"<= {f.target:.0f}" if f.target is not None else "-"
        say(
            f"| {f.database} | {f.environment} | {f.name} | {f.p50:.1f} | {f.p95:.1f} "
            f"| {target} | {f.verdict} |"
        )
    return 1 if any(f.verdict == "FAIL" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
