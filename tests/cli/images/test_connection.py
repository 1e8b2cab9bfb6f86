"""Which server ``imgwired images`` talks to when ``--base-url`` is not given."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from imgwired.cli import server_record
from tests.cli.images.conftest import run
from tests.client.servers import base_url_of, bound_socket


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no settings but the key: the CLI must find the server alone."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("IMGWIRED_BASE_URL")
    return folder


def write_record(data_dir: Path, base_url: str, pid: int) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    document = {"base_url": base_url, "pid": pid}
    (data_dir / "server.json").write_text(json.dumps(document))


def test_the_server_recorded_in_the_data_directory_is_found(
    capsys: pytest.CaptureFixture[str], in_folder: Path, base_url: str
) -> None:
    write_record(in_folder / "data", base_url, os.getpid())

    code, out, err = run(capsys, "list")

    assert (code, err) == (0, "")
    assert out.startswith("ID")


def test_a_recorded_server_that_does_not_answer_is_named_with_its_record(
    capsys: pytest.CaptureFixture[str], in_folder: Path
) -> None:
    with bound_socket() as closed:
        url = base_url_of(closed)
        write_record(in_folder / "data", url, os.getpid())
        code, _, err = run(capsys, "list")

    assert code == 1
    assert err == (
        f"imgwired: no imgwired answers at {url} (from ./data/server.json); "
        "is `imgwired serve` running?\n"
    )


def test_the_data_directory_setting_is_where_the_record_is_read(
    capsys: pytest.CaptureFixture[str],
    in_folder: Path,
    base_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    write_record(elsewhere, base_url, os.getpid())
    monkeypatch.setenv("IMGWIRED_DATA_DIR", str(elsewhere))

    code, _, err = run(capsys, "list")

    assert (code, err) == (0, "")


def test_explicit_server_settings_win_over_the_record(
    capsys: pytest.CaptureFixture[str],
    in_folder: Path,
    base_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_record(in_folder / "data", base_url, os.getpid())
    with bound_socket() as closed:
        port = closed.getsockname()[1]
        monkeypatch.setenv("IMGWIRED_PORT", str(port))
        code, _, err = run(capsys, "list")

    assert code == 1
    # The base URL `serve` prints for these settings: localhost for a loopback host.
    assert f"no imgwired answers at http://localhost:{port} (from IMGWIRED_PORT)" in err

    monkeypatch.setenv("IMGWIRED_PUBLIC_URL", base_url)
    code, _, err = run(capsys, "list")
    assert (code, err) == (0, "")

    monkeypatch.setenv("IMGWIRED_PORT", "eighty")
    code, _, err = run(capsys, "list")
    assert code == 1
    assert err.startswith("imgwired: the server settings are invalid: IMGWIRED_PORT: ")


def test_a_record_left_by_a_process_that_is_gone_is_ignored(in_folder: Path, base_url: str) -> None:
    gone = _pid_of_a_finished_process()
    write_record(in_folder / "data", base_url, gone)
    assert server_record.read_live(Path("data")) is None

    write_record(in_folder / "data", base_url, os.getpid())
    live = server_record.read_live(Path("data"))
    assert live is not None and live.base_url == base_url

    (in_folder / "data" / "server.json").write_text("{not json")
    assert server_record.read_live(Path("data")) is None


def _pid_of_a_finished_process() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid
