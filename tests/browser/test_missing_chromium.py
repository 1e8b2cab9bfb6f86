"""Without Chromium, the browser tests skip with one hint outside CI, and fail the run in CI.

Each case runs pytest itself, in a subprocess, on one browser test file, with
``IMGWIRED_TEST_CHROMIUM`` naming a binary that does not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Two tests that need the browser.
BROWSER_TESTS = "tests/browser/test_api_docs.py"
INSTALL = "apt-get install -y chromium"
# Starting pytest and migrating its template database; a ceiling for a loaded machine.
RUN_DEADLINE_SECONDS = 300


def run_pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"CI", "IMGWIRED_TEST_DATABASE_URL", "PYTEST_ADDOPTS"}
    }
    env["IMGWIRED_TEST_CHROMIUM"] = str(tmp_path / "no-chromium")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", BROWSER_TESTS, "-p", "no:cacheprovider", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_DEADLINE_SECONDS,
        check=False,
    )


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_outside_ci_the_tests_skip_and_the_summary_says_once_how_to_install_chromium(
    tmp_path: Path, ci: str | None
) -> None:
    result = run_pytest(tmp_path, ci)

    output = result.stdout
    assert result.returncode == pytest.ExitCode.OK, output + result.stderr
    assert "2 skipped" in output
    assert output.count(INSTALL) == 1, output
    assert f"no Chromium at {tmp_path / 'no-chromium'}" in output
    # The skips are folded into one line of the short summary, not one per test.
    skipped_lines = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped_lines) == 1, output
    assert skipped_lines[0].startswith("SKIPPED [2] tests/browser/conftest.py:")


def test_in_ci_a_missing_chromium_fails_the_run(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "true")

    output = result.stdout
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, output + result.stderr
    assert "2 errors" in output
    assert output.count("it is missing on this CI runner") >= 2
    assert "skipped" not in output
    assert INSTALL not in output
