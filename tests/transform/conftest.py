"""Source files for the render tests, written fresh into each test's directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.transform.helpers import quadrants, save


@pytest.fixture
def quadrant_png(tmp_path: Path) -> Path:
    """200x100: red, green / blue, yellow."""
    return save(quadrants(), tmp_path / "quadrants.png")


@pytest.fixture
def quadrant_jpg(tmp_path: Path) -> Path:
    return save(quadrants(), tmp_path / "quadrants.jpg", Q=95)
