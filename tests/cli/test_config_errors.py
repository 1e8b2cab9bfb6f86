"""Each configuration mistake stops ``imgwired`` with one line naming the setting, exit 2,
before anything is created: no data directory, no database file, no keys printed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import imgwired

SOURCE = Path(imgwired.__file__).resolve().parents[1]
UNREACHABLE_POSTGRES = "postgresql://postgres:a-password@127.0.0.1:1/x"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr_lines: list[str]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The working directory of the command: holds ``a-file``, a plain file to nest paths
    under, and nothing else (so no .env but the test's own)."""
    (tmp_path / "a-file").write_text("not a directory\n")
    return tmp_path


def imgwired_cli(workdir: Path, *args: str, **variables: str) -> Run:
    """Run ``imgwired`` in ``workdir`` with only the given IMGWIRED_* variables set."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("IMGWIRED_")}
    env |= {"PYTHONPATH": str(SOURCE), "IMGWIRED_DATA_DIR": str(workdir / "data"), **variables}
    done = subprocess.run(
        [sys.executable, "-m", "imgwired", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr.splitlines())


def assert_refused(run: Run, workdir: Path, *, naming: str, saying: str = "") -> None:
    assert run.returncode == 2, run
    assert len(run.stderr_lines) == 1, run.stderr_lines
    [line] = run.stderr_lines
    assert line.startswith(f"imgwired: {naming}: "), line
    assert saying in line
    assert run.stdout == ""  # no keys, no banner
    assert sorted(p.name for p in workdir.iterdir()) == ["a-file"]  # no data dir, no db file


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_database_url_that_does_not_parse(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_DATABASE_URL="nonsense")
    assert_refused(run, workdir, naming="IMGWIRED_DATABASE_URL", saying="not a database URL")


def test_a_database_of_an_unknown_kind(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_DATABASE_URL="mysql://u@127.0.0.1/x")
    assert_refused(run, workdir, naming="IMGWIRED_DATABASE_URL", saying="'mysql'")


def test_an_unreachable_postgresql_server(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_DATABASE_URL=UNREACHABLE_POSTGRES)
    assert_refused(run, workdir, naming="IMGWIRED_DATABASE_URL", saying="cannot connect")
    assert "a-password" not in run.stderr_lines[0]


def test_an_sqlite_file_that_is_no_database(workdir: Path) -> None:
    url = f"sqlite:///{workdir / 'a-file'}"
    run = imgwired_cli(workdir, "serve", IMGWIRED_DATABASE_URL=url)
    assert_refused(run, workdir, naming="IMGWIRED_DATABASE_URL", saying="not a usable SQLite")


def test_a_port_that_is_not_a_number(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_PORT="abc")
    assert_refused(run, workdir, naming="IMGWIRED_PORT", saying="'abc'")


def test_every_bad_setting_gets_its_own_line(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_PORT="abc", IMGWIRED_TRANSFORM_THREADS="0")
    assert run.returncode == 2
    assert [line.split(":")[1].strip() for line in run.stderr_lines] == [
        "IMGWIRED_PORT",
        "IMGWIRED_TRANSFORM_THREADS",
    ]
    assert sorted(p.name for p in workdir.iterdir()) == ["a-file"]


def test_a_list_setting_that_is_not_json(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_FETCH_ALLOWED_NETWORKS="127.0.0.1/32")
    assert_refused(run, workdir, naming="IMGWIRED_FETCH_ALLOWED_NETWORKS", saying="JSON")


def test_a_value_a_validator_refuses_is_quoted(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_CUSTOM_DOMAIN_DNS_SERVERS='["not-an-ip"]')
    assert_refused(run, workdir, naming="IMGWIRED_CUSTOM_DOMAIN_DNS_SERVERS", saying="not-an-ip")


def test_a_data_dir_under_a_file(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_DATA_DIR=str(workdir / "a-file" / "data"))
    assert_refused(run, workdir, naming="IMGWIRED_DATA_DIR", saying="is a file")


def test_a_blob_store_under_a_file(workdir: Path) -> None:
    blobs = str(workdir / "a-file" / "blobs")
    run = imgwired_cli(workdir, "serve", IMGWIRED_BLOB_STORE_URL=blobs)
    assert_refused(run, workdir, naming="IMGWIRED_BLOB_STORE_URL", saying="is a file")


def test_an_unreachable_s3_blob_store(workdir: Path) -> None:
    url = (
        "s3://bucket?endpoint_url=http://127.0.0.1:1&region=us-east-1"
        "&access_key_id=someone&secret_access_key=a-secret"
    )
    run = imgwired_cli(workdir, "serve", IMGWIRED_BLOB_STORE_URL=url)
    assert_refused(run, workdir, naming="IMGWIRED_BLOB_STORE_URL", saying="S3")
    assert "a-secret" not in run.stderr_lines[0]


def test_an_s3_bucket_that_does_not_exist(workdir: Path, s3_endpoint: str) -> None:
    url = f"s3://no-such-bucket?endpoint_url={s3_endpoint}&access_key_id=a&secret_access_key=b"
    run = imgwired_cli(workdir, "serve", IMGWIRED_BLOB_STORE_URL=url)
    assert_refused(run, workdir, naming="IMGWIRED_BLOB_STORE_URL", saying="NoSuchBucket")


def test_a_blob_store_url_of_an_unknown_kind(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_BLOB_STORE_URL="ftp://example.com/blobs")
    assert_refused(run, workdir, naming="IMGWIRED_BLOB_STORE_URL", saying="'ftp'")


def test_a_port_in_use_from_the_environment(workdir: Path, busy_port: int) -> None:
    run = imgwired_cli(workdir, "serve", IMGWIRED_PORT=str(busy_port))
    assert_refused(run, workdir, naming="IMGWIRED_PORT", saying="already in use")


def test_a_port_in_use_from_the_flag_names_the_flag(workdir: Path, busy_port: int) -> None:
    run = imgwired_cli(workdir, "serve", "--port", str(busy_port))
    assert_refused(run, workdir, naming="--port", saying="already in use")


def test_a_port_out_of_range_from_the_flag(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", "--port", "70000")
    assert_refused(run, workdir, naming="--port", saying="70000")


def test_a_host_that_does_not_resolve(workdir: Path) -> None:
    run = imgwired_cli(workdir, "serve", "--host", "no-such-host.invalid")
    assert_refused(run, workdir, naming="--host", saying="no-such-host.invalid")


@pytest.mark.parametrize("command", ["init", "migrate", "worker", "env list", "keys list"])
def test_every_command_that_opens_the_database_checks_it_first(workdir: Path, command: str) -> None:
    run = imgwired_cli(workdir, *command.split(), IMGWIRED_DATABASE_URL=UNREACHABLE_POSTGRES)
    assert_refused(run, workdir, naming="IMGWIRED_DATABASE_URL", saying="cannot connect")


@pytest.mark.parametrize("command", ["init", "keys list"])
def test_every_command_refuses_bad_settings_in_one_line(workdir: Path, command: str) -> None:
    run = imgwired_cli(workdir, *command.split(), IMGWIRED_MAX_PIXELS="many")
    assert_refused(run, workdir, naming="IMGWIRED_MAX_PIXELS", saying="'many'")


def test_a_bad_value_in_dotenv_is_named_too(workdir: Path) -> None:
    (workdir / ".env").write_text("IMGWIRED_PORT=abc\n")
    run = imgwired_cli(workdir, "serve")
    assert run.returncode == 2
    assert run.stderr_lines == [
        "imgwired: IMGWIRED_PORT: input should be a valid integer, unable to parse string as "
        "an integer (got 'abc')"
    ]


def test_the_environment_wins_over_dotenv(workdir: Path) -> None:
    (workdir / ".env").write_text("IMGWIRED_DATABASE_URL=nonsense\n")
    run = imgwired_cli(workdir, "migrate", IMGWIRED_DATABASE_URL=f"sqlite:///{workdir}/x.db")
    assert (run.returncode, run.stderr_lines) == (0, []), run
    assert (workdir / "x.db").is_file()


# Deliberate misspellings (tests/test_config.py keeps every other IMGWIRED_ name in use known).
MISSPELT_PORT = "IMGWIRED_PROT"


def test_a_misspelt_variable_is_warned_about_once_with_the_closest_name(workdir: Path) -> None:
    run = imgwired_cli(workdir, "migrate", **{MISSPELT_PORT: "9000"})
    assert run.returncode == 0, run
    assert run.stderr_lines == [
        "imgwired: warning: IMGWIRED_PROT is not a setting; did you mean IMGWIRED_PORT?"
    ]


def test_a_misspelt_variable_in_dotenv_is_warned_about(workdir: Path) -> None:
    (workdir / ".env").write_text(f"{MISSPELT_PORT}=9000\n")
    run = imgwired_cli(workdir, "migrate")
    assert run.returncode == 0, run
    assert run.stderr_lines == [
        "imgwired: warning: IMGWIRED_PROT in .env is not a setting; did you mean IMGWIRED_PORT?"
    ]
