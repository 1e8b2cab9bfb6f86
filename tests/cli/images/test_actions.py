"""``imgwired images`` upload (one file), list, get, delete and token against a running server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from imgwired.accounts.organization import Initialized
from tests.cli.images.conftest import json_lines, run, run_json


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
    code, out, _ = run(capsys, "list", "--limit", "1", "--all", "--json")
    assert code == 0
    every = json_lines(out)  # one image per line, page after page
    assert [image["id"] for image in every] == [second["id"], first["id"]]
    code, out, _ = run(capsys, "list", "--limit", "1", "--all")
    assert code == 0
    header, *rows, footer = out.strip().splitlines()
    assert header.split()[:2] == ["ID", "STATUS"]
    assert [row.split()[0] for row in rows] == [second["id"], first["id"]]
    assert footer == "2 image(s)"

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

    code, out, err = run(capsys, "upload", str(notes), "--wait", "--json")
    assert code == 1
    assert json.loads(out)["status"] == "QUARANTINE"
    error = json.loads(err)  # one JSON object in the API's error shape
    assert set(error) == {"detail", "error_type", "request_id"}
    assert error["error_type"] == "ImageQuarantinedError"
    assert "not_an_image" in error["detail"]
