"""The ``imgwired`` command as a person or a script runs it: a real process, with a terminal
where that is the point."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from imgwired.cli.main import main
from tests.cli.conftest import run_json
from tests.cli.test_serve import free_port

HEAVY = ["sqlalchemy", "fastapi", "pydantic", "pyvips", "httpx", "uvicorn", "boto3"]
SRC = str(Path(__file__).resolve().parents[2] / "src")


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any IMGWIRED_* setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGWIRED_")}
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {**env, **settings}


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["keys", "create", "--help"], ["images", "upload", "--help"], ["serve", "-h"]],
)
def test_help_imports_nothing_heavy(argv: list[str]) -> None:
    probe = (
        "import sys\n"
        "from imgwired.cli.main import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: imgwired" in done.stdout
    assert done.stderr.strip() == "[]"


def test_a_command_run_elsewhere_creates_nothing_and_says_where_it_looked(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _run(["keys", "list"], cwd=elsewhere, env=clean_environment())
    assert done.returncode == 2
    assert done.stderr == (
        f"imgwired: no imgwired database at {elsewhere / 'data' / 'imgwired.db'} "
        "(IMGWIRED_DATA_DIR unset: ./data): run `imgwired serve` or `imgwired init` there, "
        "or set IMGWIRED_DATA_DIR\n"
    )
    assert list(elsewhere.iterdir()) == []

    data = tmp_path / "empty-data"
    done = _run(
        ["env", "list", "--json"], cwd=elsewhere, env=clean_environment(IMGWIRED_DATA_DIR=str(data))
    )
    assert done.returncode == 2 and done.stdout == ""
    error = json.loads(done.stderr)
    assert error["error_type"] == "DatabaseNotFoundError"
    assert f"IMGWIRED_DATA_DIR={data}" in error["detail"]
    assert not data.exists()

    # init is one of the commands that create it.
    assert _run(["init", "--json"], cwd=elsewhere, env=clean_environment()).returncode == 0
    assert (elsewhere / "data" / "imgwired.db").exists()


@pytest.mark.usefixtures("configured")
def test_env_list_on_a_terminal_names_the_database(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    database = run_json(capsys, "init")["database"]
    code, screen = on_terminal(["env", "list"], database_url, tmp_path)
    assert code == 0
    assert f"1 environment(s) in {database}" in screen
    assert main(["env", "list"]) == 0
    assert "environment(s) in" not in capsys.readouterr().out  # not for a pipe


@pytest.mark.usefixtures("configured")
def test_env_delete_on_a_terminal_asks_for_the_name(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    run_json(capsys, "init")
    run_json(capsys, "env", "create", "staging")

    code, screen = on_terminal(["env", "delete", "staging"], database_url, tmp_path, "stage\n")
    assert code == 1
    assert "Type its name to confirm" in screen and "was not deleted" in screen
    assert {e["name"] for e in run_json(capsys, "env", "list")} == {"production", "staging"}

    code, screen = on_terminal(["env", "delete", "staging"], database_url, tmp_path, "staging\n")
    assert code == 0, screen
    assert "deleted environment" in screen
    assert {e["name"] for e in run_json(capsys, "env", "list")} == {"production"}


@pytest.mark.usefixtures("configured")
def test_the_worker_banner_is_one_json_line(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    run_json(capsys, "init")
    env = clean_environment(IMGWIRED_DATABASE_URL=database_url, IMGWIRED_DATA_DIR=str(tmp_path))
    worker = subprocess.Popen(
        [sys.executable, "-m", "imgwired", "worker", "--threads", "1", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert worker.stdout is not None
    try:
        banner = json.loads(worker.stdout.readline())
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=60)
        worker.stdout.close()
    assert banner["worker"] == {"threads": 1} and banner["database"]
    assert code == 0


def test_the_serve_banner_is_one_json_line(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = clean_environment(
        IMGWIRED_DATABASE_URL=database_url,
        IMGWIRED_DATA_DIR=str(tmp_path),
        IMGWIRED_PORT=str(port),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "imgwired", "serve", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    try:
        banner = json.loads(server.stdout.readline())
    finally:
        server.terminate()
        server.wait(timeout=60)
        server.stdout.close()
    assert banner["base_url"] == f"http://localhost:{port}"
    assert banner["server_key"].startswith("sk_") and banner["admin_token"].startswith("adm_")
    assert banner["database"]


def _run(argv: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imgwired", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def on_terminal(
    argv: list[str], database_url: str, data_dir: Path, typed: str = ""
) -> tuple[int, str]:
    """Run ``imgwired`` with a pseudo-terminal as stdin, stdout and stderr; what it showed."""
    env = clean_environment(IMGWIRED_DATABASE_URL=database_url, IMGWIRED_DATA_DIR=str(data_dir))
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "imgwired", *argv],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    if typed:
        os.write(controller, typed.encode())  # the terminal holds the line until it is read
    screen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the process closed the terminal's last open end
            break
        if not chunk:
            break
        screen += chunk
    os.close(controller)
    return process.wait(timeout=120), screen.decode().replace("\r\n", "\n")
