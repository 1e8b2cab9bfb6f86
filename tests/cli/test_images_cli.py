"""``imgwired images ...``: the CLI talks to a running server (here uvicorn on loopback)."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from imgwired.accounts.organization import Initialized
from imgwired.cli.main import main
from imgwired.config import Settings
from tests.client.servers import base_url_of, bound_socket, serve_in_thread
from tests.images.helpers import jpeg


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
    """The app serving on ``listener``, initialised; the CLI finds it through the environment."""
    with serve_in_thread(app, listener):
        initialized: Initialized = app.state.services.organization.initialize(
            environment_name="production"
        )
        yield initialized


@pytest.fixture(autouse=True)
def environment(
    monkeypatch: pytest.MonkeyPatch, installed: Initialized, listener: socket.socket
) -> None:
    monkeypatch.setenv("IMGWIRED_BASE_URL", base_url_of(listener))
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


def test_upload_wait_prints_the_processed_image(
    capsys: pytest.CaptureFixture[str], photo: Path
) -> None:
    code, out, err = run(capsys, "upload", str(photo), "--wait")

    assert (code, err) == (0, "")
    fields = {}
    for line in out.splitlines():
        label, _, value = line.strip().partition(" ")
        fields[label] = value.strip()
    assert fields["status"] == "READY"
    assert (fields["width"], fields["height"]) == ("64", "48")
    assert fields["original_filename"] == "photo.jpg"
    assert fields["purpose"] == ""
    assert fields["cdn_url"].startswith("http://127.0.0.1:")
    uuid.UUID(fields["id"])


def test_upload_json_list_get_and_delete(capsys: pytest.CaptureFixture[str], photo: Path) -> None:
    first = run_json(capsys, "upload", str(photo), "--wait", "--purpose", "hero")
    second = run_json(capsys, "upload", str(photo), "--file-name", "again.jpg")

    assert first["status"] == "READY" and first["purpose"] == "hero"
    assert second["original_filename"] == "again.jpg"
    listed = run_json(capsys, "list")
    assert [image["id"] for image in listed] == [second["id"], first["id"]]
    shown = run_json(capsys, "get", first["id"])
    assert shown["id"] == first["id"] and shown["width"] == 64

    code, out, _ = run(capsys, "list", "--limit", "1")
    assert code == 0
    header, row, footer = out.strip().splitlines()
    assert header.split()[:2] == ["ID", "STATUS"]
    assert row.startswith(second["id"])
    assert footer == "page 1, 1 of 2 image(s); next: --page 2"
    every = run_json(capsys, "list", "--limit", "1", "--all")
    assert [image["id"] for image in every] == [second["id"], first["id"]]

    code, out, _ = run(capsys, "delete", first["id"])
    assert (code, out) == (0, f"deleted {first['id']}\n")
    code, _, err = run(capsys, "get", first["id"])
    assert code == 1
    assert err == f"imgwired: Image {first['id']} was not found (ImageNotFoundError)\n"


def test_token_then_a_client_key_uploads_with_it(
    capsys: pytest.CaptureFixture[str], photo: Path, installed: Initialized
) -> None:
    token = run_json(capsys, "token")
    code, out, _ = run(capsys, "token")
    assert code == 0 and "token" in out and "expires_at" in out

    image = run_json(
        capsys,
        "upload",
        str(photo),
        "--wait",
        "--api-key",
        installed.client_key.secret,
        "--upload-token",
        token["token"],
    )

    assert image["status"] == "READY"
    assert image["upload_token_id"] == token["id"]


def test_flags_override_the_environment_and_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "list", "--api-key", "sk_wrong")
    assert code == 1
    assert err.startswith("imgwired: ") and err.endswith("(InvalidApiKeyError)\n")

    code, _, err = run(capsys, "upload", str(photo.with_name("missing.jpg")))
    assert code == 1
    assert "no such file" in err

    monkeypatch.delenv("IMGWIRED_API_KEY")
    code, _, err = run(capsys, "list")
    assert code == 1
    assert "IMGWIRED_API_KEY" in err


def test_an_unreachable_server_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with bound_socket() as closed:  # bound, never listening: connections are refused
        code, _, err = run(capsys, "list", "--base-url", base_url_of(closed))

    assert code == 1
    assert err.startswith("imgwired: GET http://127.0.0.1:") and "failed" in err


def test_a_quarantined_upload_exits_1_and_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "README.md"
    notes.write_text("# not an image\n")
    code, out, err = run(capsys, "upload", str(notes), "--wait")

    assert code == 1
    assert "QUARANTINE" in out
    assert "quarantine_reason" in out
    assert err.startswith("imgwired: the image was quarantined and will not be served: ")
    assert "not_an_image" in err
