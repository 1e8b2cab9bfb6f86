"""Upload PUT throughput and server memory, each beside its peer measured in the same run.

    .venv/bin/python bench/upload.py [--quick]

1. Throughput: a 100 MB upload PUT over real HTTP (uvicorn on loopback, the app as shipped, the
   filesystem blob store) against a raw sequential write of the same bytes to the same disk
   (1 MiB writes, then fsync, as the blob store does). Target: >= 0.5 of the raw throughput.
2. Memory: the server's peak resident memory (VmHWM) after a 10 MB and after a 100 MB upload,
   each in a fresh server process. Target: the 100 MB peak within 1.2x of the 10 MB peak (flat).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 1024 * 1024
MB = 1000 * 1000

SERVER = """
import sys, uvicorn
from imgwired.config import Settings
from imgwired.web.app import create_app
from imgwired.web.http_protocol import CanonicalCaseHttpToolsProtocol
data_dir, port = sys.argv[1], int(sys.argv[2])
settings = Settings(data_dir=data_dir, port=port, public_url=f"http://127.0.0.1:{port}",
                    run_jobs_in_process=False)
app = create_app(settings)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
            http=CanonicalCaseHttpToolsProtocol)
"""


def payload(size: int) -> Iterator[bytes]:
    """``size`` bytes of a JPEG-looking stream, generated chunk by chunk (nothing held)."""
    block = os.urandom(CHUNK)
    sent = 0
    while sent < size:
        piece = block[: min(CHUNK, size - sent)]
        if sent == 0:
            piece = b"\xff\xd8\xff\xe0" + piece[4:]
        sent += len(piece)
        yield piece


def raw_write(directory: Path, size: int) -> float:
    path = directory / "raw.bin"
    started = time.perf_counter()
    with path.open("wb") as out:
        for piece in payload(size):
            out.write(piece)
        out.flush()
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - started
    path.unlink()
    return elapsed


class Server:
    def __init__(self, data_dir: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.server_key = _initialise(data_dir)
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(data_dir), str(self.port)], cwd=ROOT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise SystemExit("the server did not start")

    def upload(self, size: int) -> float:
        headers = {"Authorization": f"Bearer {self.server_key}"}
        with httpx.Client(timeout=120) as client:
            created = client.post(
                f"{self.base}/api/v1/images/standard_upload",
                json={"file_name": "big.jpg", "content_length": size},
                headers=headers,
            )
            created.raise_for_status()
            url = created.json()["upload_url"]
            started = time.perf_counter()
            response = client.put(url, content=payload(size), headers={"Content-Length": str(size)})
            elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed

    def peak_rss(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise SystemExit("no VmHWM for the server process")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _initialise(data_dir: Path) -> str:
    """`imgwired init` on a fresh data directory; returns the server key it printed."""
    env = {**os.environ, "IMGWIRED_DATA_DIR": str(data_dir)}
    env.pop("IMGWIRED_DATABASE_URL", None)
    init = subprocess.run(
        [sys.executable, "-m", "imgwired", "init", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key: str = json.loads(init.stdout)["server_key"]
    return key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds = 3 if args.quick else 9
    size = 100 * MB
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        directory = Path(tmp)
        server = Server(directory / "data")
        try:
            raw_times, put_times = [], []
            for _ in range(rounds):
                raw_times.append(raw_write(directory, size))
                put_times.append(server.upload(size))
        finally:
            server.stop()
        raw = size / statistics.median(raw_times) / MB
        put = size / statistics.median(put_times) / MB
        # Each round times both back to back, so a slow stretch of the disk hits both alike.
        ratio = statistics.median(r / p for r, p in zip(raw_times, put_times, strict=True))

        peaks = {}
        for label, upload_size in (("10 MB", 10 * MB), ("100 MB", 100 * MB)):
            fresh = Server(directory / f"mem-{label.replace(' ', '')}")
            try:
                fresh.upload(upload_size)
                peaks[label] = fresh.peak_rss()
            finally:
                fresh.stop()
    flat = peaks["100 MB"] / peaks["10 MB"]
    print("Upload PUT (HTTP, loopback, filesystem blob store) vs raw sequential write, same disk")
    print(
        f"  upload PUT 100 MB      {put:8.1f} MB/s   raw write {raw:8.1f} MB/s   ratio {ratio:.3f}"
        f"  (target >= 0.50) {'PASS' if ratio >= 0.5 else 'FAIL'}"
    )
    print(
        f"    per-round seconds: put {[round(t, 3) for t in put_times]}\n"
        f"                       raw {[round(t, 3) for t in raw_times]}\n"
        "    ratio: the median of per-round raw time / put time"
    )
    print("Server peak memory (VmHWM, fresh process per upload)")
    print(f"  after 10 MB upload     {peaks['10 MB'] / 2**20:8.1f} MiB")
    print(
        f"  after 100 MB upload    {peaks['100 MB'] / 2**20:8.1f} MiB   ratio {flat:.3f}"
        f"  (target <= 1.20) {'PASS' if flat <= 1.2 else 'FAIL'}"
    )
    return 0 if ratio >= 0.5 and flat <= 1.2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
