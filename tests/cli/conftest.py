"""Fixtures of the command-line tests: the CLI pointed at the test's database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imgwired.cli.main import main


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    """In-process ``main`` works on the test's database (the one ``client`` serves)."""
    monkeypatch.setenv("IMGWIRED_DATABASE_URL", database_url)
    monkeypatch.setenv("IMGWIRED_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IMGWIRED_PUBLIC_URL", "http://images.local:9000")


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    """Run a command with ``--json`` that must succeed; its document."""
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def failed_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    """Run a command with ``--json`` that must fail: its exit status and its error object,
    the only thing on stderr, with nothing on stdout."""
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    assert code != 0 and captured.out == "", captured
    return code, json.loads(captured.err)
