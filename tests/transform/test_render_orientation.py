"""EXIF orientation, rotation and flips: where each corner of the picture ends up."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgwired.imaging.vips import pyvips
from imgwired.transform.grammar.params import OutputFormat
from tests.transform.helpers import corners, pixel, quadrants, transform

UPRIGHT = ("red", "green", "blue", "yellow")


def rotated_jpeg(directory: Path, orientation: int) -> Path:
    """A JPEG whose stored pixels, shown with ``orientation`` applied, are the quadrants."""
    vips = pyvips()
    upright = quadrants()
    # The stored pixels are the upright picture turned back the other way.
    stored = {
        3: upright.rot("d180"),
        6: upright.rot("d270"),
        8: upright.rot("d90"),
    }[orientation].copy()
    stored.set_type(vips.GValue.gint_type, "orientation", orientation)
    path = directory / f"orientation-{orientation}.jpg"
    stored.jpegsave(str(path), Q=95)
    return path


@pytest.mark.parametrize("orientation", [3, 6, 8])
@pytest.mark.parametrize("query", ["w=100", "ra=cubic&w=100", "blur=0.5&w=100"])
def test_exif_orientation_is_applied(tmp_path: Path, orientation: int, query: str) -> None:
    rendered, image = transform(rotated_jpeg(tmp_path, orientation), query)
    assert (rendered.width, rendered.height) == (100, 50)
    assert corners(image) == UPRIGHT
    assert "orientation" not in image.get_fields() or image.get("orientation") == 1


@pytest.mark.parametrize(
    ("angle", "size", "expected"),
    [
        ("90", (100, 200), ("blue", "red", "yellow", "green")),
        ("180", (200, 100), ("yellow", "blue", "green", "red")),
        ("270", (100, 200), ("green", "yellow", "red", "blue")),
        ("-90", (100, 200), ("green", "yellow", "red", "blue")),
        ("450", (100, 200), ("blue", "red", "yellow", "green")),
    ],
)
def test_right_angle_rotations_are_clockwise(
    quadrant_png: Path, angle: str, size: tuple[int, int], expected: tuple[str, ...]
) -> None:
    _, image = transform(quadrant_png, f"rotate={angle}")
    assert (image.width, image.height) == size
    assert corners(image, inset=0) == expected


def test_the_size_applies_to_the_rotated_picture(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "rot=90&w=50")
    assert (image.width, image.height) == (50, 100)
    assert corners(image, inset=1) == ("blue", "red", "yellow", "green")


def test_any_angle_grows_the_canvas_and_fills_the_corners(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "rotate=45:00f", OutputFormat.PNG)
    assert (image.width, image.height) == (212, 212)
    assert pixel(image, 1, 1)[:3] == (0, 0, 255)
    assert pixel(image, 106, 106)[:3] != (0, 0, 255)


def test_any_angle_without_a_colour_leaves_clear_corners(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "rotate=30")
    assert image.bands == 4 and pixel(image, 0, 0)[3] == 0
    _, image = transform(quadrant_png, "rotate=30", OutputFormat.JPEG)
    assert pixel(image, 0, 0) == (255, 255, 255)  # flattened on white
    _, image = transform(quadrant_png, "rotate=30&bg=f00", OutputFormat.JPEG)
    assert pixel(image, 0, 0)[0] > 200 and pixel(image, 0, 0)[1] < 50


@pytest.mark.parametrize(
    ("flip", "expected"),
    [
        ("horizontal", ("green", "red", "yellow", "blue")),
        ("vertical", ("blue", "yellow", "red", "green")),
        ("both", ("yellow", "blue", "green", "red")),
        ("true:false", ("green", "red", "yellow", "blue")),
        ("false:true", ("blue", "yellow", "red", "green")),
    ],
)
def test_flips_mirror_the_picture(quadrant_png: Path, flip: str, expected: tuple[str, ...]) -> None:
    _, image = transform(quadrant_png, f"flip={flip}")
    assert (image.width, image.height) == (200, 100)
    assert corners(image, inset=0) == expected


def test_flip_comes_after_the_turn(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "rot=90&flip=horizontal")
    assert corners(image, inset=0) == ("red", "blue", "green", "yellow")


def test_gravity_is_read_in_the_final_orientation(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "rot=90&crop=50:50:nw")
    assert corners(image, inset=0) == ("blue",) * 4
