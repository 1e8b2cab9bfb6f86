"""Real ``imgwired`` processes for the tests that are about processes: start one, wait until it
serves, read everything it writes, and make sure it is gone afterwards (SIGTERM, then SIGKILL).

Shared by the crash test (``tests/images/test_crash.py``), ``serve --workers``
(``tests/cli/test_serve_workers.py``) and the cluster (``tests/cluster/``).
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select

from imgwired.db.engine import Database
from imgwired.db.models import Image

DEADLINE = 30.0
# uvicorn names each server process as it starts it.
_STARTED = re.compile(r"Started server process \[(\d+)\]")


@dataclass
class ImgwiredProcess:
    """A running ``imgwired`` command; ``output`` grows with every line it writes."""

    process: subprocess.Popen[str]
    base: str = ""
    output: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.output)

    def server_pids(self) -> list[int]:
        """The server processes started so far, in order (the process itself, or its workers)."""
        return [int(pid) for pid in _STARTED.findall(self.text())]

    def server_key(self) -> str | None:
        """The server key printed on a first start."""
        found = re.search(r"sk_[A-Za-z0-9]{43}", self.text())
        return found.group(0) if found else None


@contextmanager
def running(
    argv: Sequence[str], env: dict[str, str], *, base: str = "", stop_timeout: float = DEADLINE
) -> Iterator[ImgwiredProcess]:
    """``imgwired <argv>`` with ``env``; when ``base`` is given, yielded once it answers
    ``/health`` there. Its output (stdout and stderr) is read all along: a full pipe would block
    it on its access log."""
    process = subprocess.Popen(
        [sys.executable, "-m", "imgwired", *argv],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = ImgwiredProcess(process, base)
    reader = threading.Thread(target=_collect, args=(process, started.output), daemon=True)
    reader.start()
    try:
        if base:
            wait_until_serving(started)
        yield started
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(10)


def serving(env: dict[str, str], *argv: str) -> AbstractContextManager[ImgwiredProcess]:
    """``imgwired serve <argv>`` on ``IMGWIRED_PORT`` of ``env``, yielded once it answers."""
    return running(["serve", *argv], env, base=f"http://127.0.0.1:{env['IMGWIRED_PORT']}")


def _collect(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    with process.stdout:
        for line in process.stdout:
            lines.append(line)


def wait_until_serving(server: ImgwiredProcess) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline and server.process.poll() is None:
        # The lifespan finishes before uvicorn binds its socket: wait until it answers.
        try:
            httpx.get(f"{server.base}/health", timeout=1)
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        return
    server.process.kill()
    raise AssertionError("server did not start:\n" + server.text())


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE) -> None:
    """Poll ``condition`` (something another process does) until it holds; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_claimed(database_url: str, image_ids: list[str]) -> None:
    """Wait until a server holds the upload URL of each image: its body has begun to arrive."""
    database = Database(database_url)
    wanted = [uuid.UUID(i) for i in image_ids]
    try:

        def claimed() -> bool:
            with database.reading() as session:
                started = session.scalars(
                    select(Image.id).where(
                        Image.id.in_(wanted), Image.upload_started_at.is_not(None)
                    )
                ).all()
            return len(started) == len(wanted)

        wait_for(claimed, "the uploads to claim their URLs")
    finally:
        database.dispose()
