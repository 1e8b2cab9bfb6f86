"""``imgwired images upload PATH...``: folders, concurrency, resuming, a summary, exit codes."""

from __future__ import annotations

import hashlib
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from imgwired.accounts.organization import Initialized
from imgwired.client import ImgwireClient
from tests.cli.images.conftest import json_lines, run, run_json, running_this_imgwired
from tests.images.helpers import jpeg, png


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two images (one in a subfolder), a copy of one, a text file and a hidden file."""
    root = tmp_path / "pics"
    (root / "sub").mkdir(parents=True)
    (root / "a.jpg").write_bytes(jpeg(30, 20))
    (root / "sub" / "b.png").write_bytes(png(12, 12))
    (root / "z-copy-of-a.jpg").write_bytes(jpeg(30, 20))
    (root / "notes.txt").write_text("not an image\n")
    (root / ".hidden.jpg").write_bytes(jpeg(8, 8))
    return root


def states(out: str) -> dict[str, str]:
    """``path -> state`` from the plain lines, leaving out the summary."""
    lines = [line.split("  ") for line in out.splitlines() if not line.startswith("uploaded ")]
    return {Path(parts[0]).name: parts[1] for parts in lines}


def summary_line(out: str) -> str:
    return out.splitlines()[-1]


def test_a_folder_is_uploaded_then_a_second_run_skips_it(
    capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    code, out, err = run(capsys, "upload", str(folder), "--wait")

    assert (code, err) == (0, "")
    assert states(out) == {
        "a.jpg": "uploaded",
        "b.png": "uploaded",
        "z-copy-of-a.jpg": "skipped",
        "notes.txt": "ignored",
    }
    assert f"{folder / 'sub' / 'b.png'}  uploaded  " in out
    assert out.count("  READY") == 2
    assert summary_line(out).startswith("uploaded 2, skipped 1, failed 0, ignored 1; ")
    assert len(run_json(capsys, "list")) == 2

    code, out, err = run(capsys, "upload", str(folder))

    assert (code, err) == (0, "")
    assert states(out)["a.jpg"] == "skipped" and states(out)["b.png"] == "skipped"
    assert summary_line(out).startswith("uploaded 0, skipped 3, failed 0, ignored 1; 0 B in ")
    assert len(run_json(capsys, "list")) == 2


def test_a_cut_off_run_is_resumed_under_the_same_images(
    capsys: pytest.CaptureFixture[str], folder: Path, installed: Initialized, base_url: str
) -> None:
    # A first run finished the subfolder, then was cut off after creating a.jpg's image,
    # before its bytes were sent.
    code, _, _ = run(capsys, "upload", str(folder / "sub"), "--concurrency", "1")
    assert code == 0
    data = (folder / "a.jpg").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with ImgwireClient(api_key=installed.server_key.secret, base_url=base_url) as sdk:
        pending = sdk.images.create(
            file_name="a.jpg", content_length=len(data), hash_sha256=digest, idempotency_key=digest
        ).image
    assert pending.status == "PENDING"

    code, out, err = run(capsys, "upload", str(folder), "--wait", "--json")

    assert (code, err) == (0, "")
    *files, last = json_lines(out)
    by_name = {Path(line["path"]).name: line for line in files}
    assert by_name["a.jpg"]["state"] == "uploaded"
    assert by_name["a.jpg"]["id"] == str(pending.id)
    assert by_name["a.jpg"]["status"] == "READY"
    assert by_name["b.png"]["state"] == "skipped"
    assert by_name["notes.txt"] == {
        "path": str(folder / "notes.txt"),
        "state": "ignored",
        "id": None,
        "status": None,
        "cdn_url": None,
        "bytes": 0,
        "detail": "not an image",
        "error_type": None,
    }
    summary = last["summary"]
    assert (summary["uploaded"], summary["skipped"], summary["failed"]) == (1, 2, 0)
    assert summary["bytes"] == len(data)
    assert summary["seconds"] >= 0
    assert len(run_json(capsys, "list")) == 2


def test_failed_files_are_reported_and_the_exit_code_says_so(
    capsys: pytest.CaptureFixture[str], folder: Path, tmp_path: Path
) -> None:
    (folder / "broken.jpg").write_text("a photo's name, a text's bytes\n")
    missing = tmp_path / "missing"

    paths = (str(folder), str(missing))
    code, out, err = run(capsys, "upload", *paths, "--wait", "--concurrency", "2")

    assert code == 1
    assert err == ""
    lines = states(out)
    assert lines["broken.jpg"] == "failed" and lines["missing"] == "failed"
    assert "quarantined: not_an_image" in out
    assert f"{missing}  failed  no such file or folder" in out
    assert summary_line(out).startswith("uploaded 2, skipped 1, failed 2, ignored 1; ")


def test_a_bar_shows_progress_on_a_terminal(folder: Path) -> None:
    primary, secondary = pty.openpty()
    terminal = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    process = subprocess.Popen(
        [sys.executable, "-m", "imgwired", "images", "upload", str(folder)],
        stdout=secondary,
        stderr=secondary,
        env=running_this_imgwired(terminal),
    )
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        output += chunk
    os.close(primary)
    assert process.wait(timeout=60) == 0
    text = output.decode(errors="replace")
    assert "uploading" in text and "━" in text  # the bar, drawn by rich
    assert "4/4" in text or "3/3" in text
    assert "uploaded 2, skipped 1, failed 0, ignored 1; " in text
