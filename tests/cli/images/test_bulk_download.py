"""``imgwired images download``: zips built by the bulk download jobs API, written or unpacked."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.images.conftest import json_lines, run, run_json
from tests.images.helpers import jpeg, png


@pytest.fixture
def uploaded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> list[dict[str, Any]]:
    """Two READY images and a quarantined one."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "first.jpg").write_bytes(jpeg(20, 10))
    (source / "second.png").write_bytes(png(10, 10))
    (source / "third.jpg").write_text("not a photo\n")
    code, _, _ = run(capsys, "upload", str(source), "--wait")
    assert code == 1  # third.jpg was quarantined
    images: list[dict[str, Any]] = run_json(capsys, "list")
    return images


def ids_with(images: list[dict[str, Any]], status: str) -> list[str]:
    return sorted(image["id"] for image in images if image["status"] == status)


def test_named_images_are_written_as_one_zip(
    capsys: pytest.CaptureFixture[str], uploaded: list[dict[str, Any]], tmp_path: Path
) -> None:
    ready = ids_with(uploaded, "READY")
    output = tmp_path / "out"

    code, out, err = run(capsys, "download", *ready, "--output", str(output))

    assert (code, err) == (0, "")
    (archive,) = output.iterdir()
    assert archive.name.startswith("images-") and archive.suffix == ".zip"
    with zipfile.ZipFile(archive) as opened:
        names = sorted(opened.namelist())
        assert opened.read(next(n for n in names if n.startswith("first-"))) == jpeg(20, 10)
    assert [name.split("-")[0] for name in names] == ["first", "second"]
    assert out.splitlines()[0].startswith(f"{archive}  2 image(s)  ")
    assert out.splitlines()[-1].startswith("downloaded 2 image(s); ")


def test_all_images_unpacked_with_json_lines(
    capsys: pytest.CaptureFixture[str], uploaded: list[dict[str, Any]], tmp_path: Path
) -> None:
    output = tmp_path / "out"

    code, out, err = run(
        capsys, "download", "--all", "--output", str(output), "--extract", "--json"
    )

    assert (code, err) == (0, "")
    assert sorted(path.suffix for path in output.iterdir()) == [".jpg", ".png"]
    lines = json_lines(out)
    assert lines[0]["status"] in ("PENDING", "PROCESSING", "READY")
    assert any(line.get("status") == "READY" for line in lines if "job" in line)
    written = next(line for line in lines if "path" in line)
    assert written["path"] == str(output) and written["images"] == 2
    assert lines[-1]["summary"]["images"] == 2
    assert lines[-1]["summary"]["left_out"] == 1  # the quarantined image is not in the zip
    assert lines[-1]["summary"]["bytes"] > 0


def test_images_chosen_by_status(
    capsys: pytest.CaptureFixture[str], uploaded: list[dict[str, Any]], tmp_path: Path
) -> None:
    output = tmp_path / "out"
    code, out, _ = run(capsys, "download", "--status", "READY", "--output", str(output))
    assert code == 0
    assert out.splitlines()[-1].startswith("downloaded 2 image(s); ")

    code, _, err = run(capsys, "download", "--status", "PENDING", "--output", str(output))
    assert code == 1
    assert err == "imgwired: no images match: nothing to download\n"

    code, _, err = run(capsys, "download", "--output", str(output))
    assert code == 1
    assert err == "imgwired: name image ids, or pass --all or --status\n"
