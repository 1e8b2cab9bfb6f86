"""Resizing as a viewer sees it: sizes, resizing types, enlargement, dpr, floors and kernels."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgwired.transform.grammar.params import OutputFormat
from tests.transform.helpers import corners, pixel, quadrants, save, solid, transform


@pytest.mark.parametrize(
    ("query", "size"),
    [
        ("w=50", (50, 25)),
        ("h=20", (40, 20)),
        ("w=50&h=50", (50, 25)),
        ("w=50&h=50&resizing_type=inside", (50, 25)),
        ("w=50&h=50&resizing_type=fit", (50, 25)),
        ("w=50&h=50&resizing_type=cover", (50, 50)),
        ("w=50&h=50&resizing_type=contain", (50, 50)),
        ("w=50&h=50&resizing_type=fill", (50, 50)),
        ("w=50&h=50&resizing_type=force", (50, 50)),
        ("w=50&h=50&resizing_type=outside", (100, 50)),
        ("w=400", (200, 100)),
        ("w=400&enlarge=1", (400, 200)),
        ("w=50&dpr=2", (100, 50)),
        ("dpr=0.5", (100, 50)),
        ("w=50&min-width=80", (80, 40)),
        ("mh=150", (300, 150)),
    ],
)
def test_sizes(quadrant_png: Path, query: str, size: tuple[int, int]) -> None:
    rendered, _ = transform(quadrant_png, query)
    assert (rendered.width, rendered.height) == size
    assert rendered.format is OutputFormat.PNG


def test_inside_keeps_every_corner(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "w=50")
    assert corners(image, inset=2) == ("red", "green", "blue", "yellow")


def test_fill_stretches_every_corner_into_the_box(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "w=40&h=80&resizing_type=fill")
    assert (image.width, image.height) == (40, 80)
    assert corners(image, inset=2) == ("red", "green", "blue", "yellow")


@pytest.mark.parametrize(
    ("gravity", "expected"),
    [
        ("center", ("red", "green", "blue", "yellow")),
        ("west", ("red", "red", "blue", "blue")),
        ("east", ("green", "green", "yellow", "yellow")),
        ("nw", ("red", "red", "blue", "blue")),
    ],
)
def test_cover_crops_the_box_at_the_gravity(
    quadrant_png: Path, gravity: str, expected: tuple[str, ...]
) -> None:
    _, image = transform(quadrant_png, f"w=50&h=50&resizing_type=cover&g={gravity}")
    assert (image.width, image.height) == (50, 50)
    assert corners(image, inset=3) == expected


def test_cover_with_attention_finds_the_detail(tmp_path: Path) -> None:
    plain = solid((128, 128, 128), 300, 100)
    detail = quadrants(40, 40).resize(1)
    source = save(plain.insert(detail, 240, 30), tmp_path / "detail.png")
    _, image = transform(source, "w=100&h=100&resizing_type=cover&g=ce:sm")
    assert (image.width, image.height) == (100, 100)
    # The detail (source x 240..280) is in view; a centred crop (100..200) would miss it.
    assert pixel(image, 60, 50) != (128, 128, 128)


def test_contain_letterboxes_on_transparency_or_the_background(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "w=50&h=50&resizing_type=contain")
    assert image.bands == 4
    assert pixel(image, 25, 2)[3] == 0  # the band above the image is clear
    assert pixel(image, 5, 20)[3] == 255
    _, image = transform(quadrant_png, "w=50&h=50&resizing_type=contain&bg=00f", OutputFormat.JPEG)
    assert pixel(image, 25, 2)[2] > 200 and pixel(image, 25, 2)[0] < 40


def test_contain_without_enlarging_pads_the_small_image(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "w=400&h=400&resizing_type=contain&g=nw")
    assert (image.width, image.height) == (400, 400)
    assert pixel(image, 10, 10)[:3] == (255, 0, 0)
    assert pixel(image, 300, 300)[3] == 0


def test_nearest_neighbour_keeps_hard_edges(quadrant_png: Path) -> None:
    _, nearest = transform(quadrant_png, "w=400&enlarge=1&ra=nearest")
    _, smooth = transform(quadrant_png, "w=400&enlarge=1&ra=lanczos3")
    edge = 199  # the last red column before green, at 2x
    assert pixel(nearest, edge, 50)[:3] == (255, 0, 0)
    assert pixel(nearest, edge + 1, 50)[:3] == (0, 255, 0)
    assert pixel(smooth, edge + 1, 50)[:3] not in ((255, 0, 0), (0, 255, 0))


@pytest.mark.parametrize("kernel", ["cubic", "mitchell", "lanczos2", "nearest"])
def test_every_kernel_resizes_to_the_planned_size(quadrant_png: Path, kernel: str) -> None:
    rendered, _ = transform(quadrant_png, f"w=77&ra={kernel}")
    assert (rendered.width, rendered.height) == (77, 39)


def test_a_large_jpeg_is_shrunk_on_load(tmp_path: Path) -> None:
    source = save(quadrants(3000, 2000), tmp_path / "large.jpg", Q=90)
    rendered, image = transform(source, "w=300", OutputFormat.WEBP)
    assert (rendered.width, rendered.height) == (300, 200)
    assert corners(image) == ("red", "green", "blue", "yellow")
