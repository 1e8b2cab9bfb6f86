#!/usr/bin/env python3
"""Set up and run imgwired with nothing but Python 3.11+.

    python3 tasks.py serve        create ./.venv if needed, then start the server on ./data
    python3 tasks.py test         create ./.venv with the dev tools, then lint, type-check and test

Arguments after the command go to ``imgwired serve`` or to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def ensure_environment(extras: str) -> None:
    """Install the project (editable) into ./.venv, again only when pyproject.toml changes."""
    if sys.version_info < (3, 11):  # noqa: UP036 (run by any python3 on PATH)
        sys.exit(f"imgwired needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    stamp = VENV / f".imgwired-{extras or 'base'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extras}]" if extras else "."
    print(f"installing imgwired{f'[{extras}]' if extras else ''} into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)  # noqa: S603
    subprocess.run([*pip, "--editable", target], check=True, cwd=ROOT)  # noqa: S603
    stamp.write_text(wanted)


def serve(args: list[str]) -> int:
    ensure_environment("")
    os.execv(BIN / "imgwired", [str(BIN / "imgwired"), "serve", *args])  # noqa: S606


def test(args: list[str]) -> int:
    ensure_environment("dev")
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
        [str(BIN / "lint-imports")],
        [str(PYTHON), "-m", "pytest", *args],
    ]
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else part for i, part in enumerate(step)))
        code = subprocess.run(step, cwd=ROOT).returncode  # noqa: S603
        if code != 0:
            return code
    return 0


COMMANDS = {"serve": serve, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
