"""``imgwired images`` against a running server: the app under uvicorn on a loopback socket.

The CLI finds it through ``IMGWIRED_BASE_URL`` and ``IMGWIRED_API_KEY``, as a script would;
tests about finding the server remove those and set what they are about.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

import imgwired
from imgwired.accounts.organization import Initialized
from imgwired.cli.main import main
from imgwired.config import Settings
from tests.client.servers import base_url_of, bound_socket, serve_in_thread
from tests.images.helpers import jpeg

# Settings a developer's shell may carry that would point the CLI elsewhere.
SERVER_VARIABLES = (
    "IMGWIRED_BASE_URL",
    "IMGWIRED_API_KEY",
    "IMGWIRED_PUBLIC_URL",
    "IMGWIRED_HOST",
    "IMGWIRED_PORT",
    "IMGWIRED_DATA_DIR",
)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with bound_socket() as sock:
        yield sock


@pytest.fixture
def settings(settings: Settings, listener: socket.socket) -> Settings:
    update = {"public_url": base_url_of(listener), "run_jobs_in_process": True}
    return settings.model_copy(update=update)


@pytest.fixture
def installed(app: FastAPI, listener: socket.socket) -> Iterator[Initialized]:
    """The app serving on ``listener``, initialised."""
    with serve_in_thread(app, listener):
        initialized: Initialized = app.state.services.organization.initialize(
            environment_name="production"
        )
        yield initialized


@pytest.fixture
def base_url(listener: socket.socket) -> str:
    return base_url_of(listener)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, installed: Initialized, base_url: str) -> None:
    for name in SERVER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IMGWIRED_BASE_URL", base_url)
    monkeypatch.setenv("IMGWIRED_API_KEY", installed.server_key.secret)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg(64, 48))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["images", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def running_this_imgwired(environment: dict[str, str]) -> dict[str, str]:
    """``environment`` for a subprocess that imports the imgwired under test, from any cwd."""
    source = str(Path(imgwired.__file__).parents[1])
    return {**environment, "PYTHONPATH": os.pathsep.join([source, *sys.path])}


def json_lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines()]
