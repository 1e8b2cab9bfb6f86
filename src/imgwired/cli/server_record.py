"""Where a running ``imgwired serve`` listens, recorded in its data directory.

``serve`` writes ``<data_dir>/server.json`` (its base URL and pid) as it starts and removes it
when it stops, so commands run from the same directory (``imgwired images ...``) find it
without being told the port. A record whose process is gone (the server was killed) is stale
and ignored.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

RECORD_NAME = "server.json"


@dataclass(frozen=True, slots=True)
class ServerRecord:
    base_url: str
    pid: int
    path: Path


def record_path(data_dir: Path) -> Path:
    return data_dir / RECORD_NAME


def announce(data_dir: Path, base_url: str) -> None:
    """Record this process as the server of ``data_dir``, withdrawn again when it exits.

    The record goes on a clean exit and on SIGTERM (uvicorn hands SIGTERM back to the handler
    it found once it has shut down, so ours runs last and then lets the signal end the process).
    A server that cannot write its data directory still serves: it only says so.
    """
    path = record_path(data_dir)
    pid = os.getpid()
    document = {"base_url": base_url, "pid": pid}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{RECORD_NAME}.{pid}.tmp")
        temporary.write_text(json.dumps(document) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        print(f"imgwired: could not record the server in {path}: {exc}", file=sys.stderr)
        return
    atexit.register(_withdraw, path, pid)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _withdraw_then_terminate(path, pid))


def read_live(data_dir: Path) -> ServerRecord | None:
    """The record of a server still running for ``data_dir``; None if absent, unreadable or
    left by a process that is gone."""
    path = record_path(data_dir)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        base_url, pid = document["base_url"], document["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(base_url, str) or not isinstance(pid, int) or not _is_running(pid):
        return None
    return ServerRecord(base_url, pid, path)


def _is_running(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would end the process there: trust the record
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, under another user
        return True
    return True


def _withdraw(path: Path, pid: int) -> None:
    """Remove the record if it is still this process's (a later server may have replaced it)."""
    live = read_live(path.parent)
    if live is not None and live.pid == pid:
        path.unlink(missing_ok=True)


def _withdraw_then_terminate(path: Path, pid: int) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, _frame: FrameType | None) -> None:
        _withdraw(path, pid)
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)

    return handler
