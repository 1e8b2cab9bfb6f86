"""Crops of the resized image, regions of the source, and zoom: which part a viewer sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgwired.errors import InvalidTransformationError
from tests.transform.helpers import colour_name, corners, pixel, transform


def test_a_crop_is_centred_by_default(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "crop=100:50")
    assert (image.width, image.height) == (100, 50)
    assert corners(image, inset=2) == ("red", "green", "blue", "yellow")


@pytest.mark.parametrize(
    ("crop", "colour"),
    [
        ("100:50:nw", "red"),
        ("100:50:northeast", "green"),
        ("100:50:sw", "blue"),
        ("100:50:se", "yellow"),
    ],
)
def test_a_crop_at_a_gravity_shows_that_corner(quadrant_png: Path, crop: str, colour: str) -> None:
    _, image = transform(quadrant_png, f"crop={crop}")
    assert corners(image, inset=0) == (colour,) * 4


def test_the_crop_falls_back_to_the_gravity_parameter(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "crop=100:50&g=se")
    assert corners(image, inset=0) == ("yellow",) * 4


def test_a_crop_applies_to_the_resized_image_times_dpr(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "w=100&crop=20:10:nw&dpr=2")
    assert (image.width, image.height) == (40, 20)
    assert corners(image, inset=0) == ("red",) * 4


def test_a_crop_larger_than_the_image_is_clipped(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "crop=500:20:north")
    assert (image.width, image.height) == (200, 20)


def test_a_region_of_the_source(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "crop=100:0:100:50")
    assert (image.width, image.height) == (100, 50)
    assert corners(image, inset=0) == ("green",) * 4


def test_a_region_with_a_gravity_counts_offsets_from_that_edge(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "crop=10:10:50:50:se")
    # Columns 140..190 and rows 40..90 of the source: green above row 50, yellow below.
    assert (image.width, image.height) == (50, 50)
    assert colour_name(image, 25, 5) == "green"
    assert colour_name(image, 25, 30) == "yellow"


def test_a_region_as_json_then_resized(quadrant_png: Path) -> None:
    query = 'crop={"x":0,"y":0,"width":100,"height":50}&w=50'
    _, image = transform(quadrant_png, query)
    assert (image.width, image.height) == (50, 25)
    assert corners(image, inset=0) == ("red",) * 4


def test_a_region_outside_the_image_is_refused(quadrant_png: Path) -> None:
    with pytest.raises(InvalidTransformationError, match="outside"):
        transform(quadrant_png, "crop=500:500:10:10")


def test_a_region_of_an_exif_rotated_jpeg_is_taken_upright(tmp_path: Path) -> None:
    from tests.transform.test_render_orientation import rotated_jpeg

    source = rotated_jpeg(tmp_path, orientation=6)  # stored as 100x200, shown as 200x100
    _, image = transform(source, "crop=150:50:50:50")
    assert (image.width, image.height) == (50, 50)
    assert corners(image, inset=4) == ("yellow",) * 4


def test_zoom_magnifies_the_centre_and_keeps_the_size(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "zoom=2")
    assert (image.width, image.height) == (200, 100)
    assert corners(image, inset=2) == ("red", "green", "blue", "yellow")
    assert colour_name(image, 60, 20) == "red"  # source (80, 30) of the 2x centre


def test_zoom_at_a_gravity(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "zoom=2:se&w=100")
    assert (image.width, image.height) == (100, 50)
    assert corners(image, inset=1) == ("yellow",) * 4


def test_zoom_with_attention_and_a_region(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "crop=0:0:100:100&zoom=2:ce:sm")
    assert (image.width, image.height) == (100, 100)
    assert {colour_name(image, 50, 25), colour_name(image, 50, 75)} <= {"red", "blue"}
    assert pixel(image, 0, 0)[:3] in ((255, 0, 0), (0, 0, 255))
