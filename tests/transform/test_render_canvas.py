"""Padding, extend, extend_aspect_ratio and backgrounds: what surrounds the picture."""

from __future__ import annotations

from pathlib import Path

from imgwired.transform.grammar.params import OutputFormat
from tests.transform.helpers import colour_name, corners, near, pixel, rgb, save, solid, transform


def test_padding_on_every_side_is_clear_in_png(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "padding=10")
    assert (image.width, image.height) == (220, 120)
    assert pixel(image, 0, 0)[3] == 0
    assert pixel(image, 12, 12)[:3] == (255, 0, 0)


def test_padding_takes_the_background(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "pd=10&bg=00f", OutputFormat.JPEG)
    assert near(rgb(image, 2, 2), (0, 0, 255))
    _, image = transform(quadrant_png, "pd=10", OutputFormat.JPEG)
    assert near(rgb(image, 2, 2), (255, 255, 255))  # no background: white in JPEG


def test_padding_shorthands(quadrant_png: Path) -> None:
    for query, size in (
        ("pd=10:20", (220, 140)),  # x:y: 10 left and right, 20 top and bottom
        ("pd=1:2:3", (204, 104)),
        ("pd=1:2:3:4", (206, 104)),
        ("pd=5&dpr=2", (220, 120)),
    ):
        _, image = transform(quadrant_png, query)
        assert (image.width, image.height) == size, query
    _, image = transform(quadrant_png, "pd=0:0:0:30&bg=f00", OutputFormat.PNG)
    assert pixel(image, 5, 50) == (255, 0, 0) and colour_name(image, 35, 5) == "red"


def test_extend_with_its_own_colour(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "extend=1:2:3:4:00f&bg=f00")
    assert (image.width, image.height) == (206, 104)
    assert pixel(image, 0, 0)[:3] == (0, 0, 255)
    _, image = transform(quadrant_png, 'ex={"left":10,"background":"0f0"}', OutputFormat.JPEG)
    assert (image.width, image.height) == (210, 100)
    assert near(rgb(image, 2, 50), (0, 255, 0))


def test_extend_aspect_ratio_pads_to_the_ratio(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "extend_aspect_ratio=1&bg=fff")
    assert (image.width, image.height) == (200, 200)
    assert corners(image, inset=60) == ("red", "green", "blue", "yellow")
    assert pixel(image, 100, 10)[:3] == (255, 255, 255)
    _, image = transform(quadrant_png, "exar=1:1:north&bg=fff")
    assert colour_name(image, 10, 10) == "red" and pixel(image, 100, 190)[:3] == (255, 255, 255)
    _, image = transform(quadrant_png, "exar=4:1")
    assert (image.width, image.height) == (400, 100)


def test_the_order_is_contain_then_aspect_then_extend_then_padding(quadrant_png: Path) -> None:
    query = "w=100&h=100&resizing_type=contain&exar=2&ex=5&pd=1"
    _, image = transform(quadrant_png, query)
    assert (image.width, image.height) == (200 + 12, 100 + 12)


def test_transparency_is_flattened_where_the_output_has_none(tmp_path: Path) -> None:
    source = save(solid((255, 0, 0, 0), 16, 16), tmp_path / "clear.png")
    _, image = transform(source, "w=8", OutputFormat.JPEG)
    assert near(rgb(image, 4, 4), (255, 255, 255))
    _, image = transform(source, "w=8&bg=0f0", OutputFormat.JPEG)
    assert near(rgb(image, 4, 4), (0, 255, 0))


def test_a_background_fills_transparency_in_alpha_formats_too(tmp_path: Path) -> None:
    source = save(solid((255, 0, 0, 0), 16, 16), tmp_path / "clear.png")
    _, image = transform(source, "w=8")
    assert pixel(image, 4, 4)[3] == 0  # no background: still transparent
    _, image = transform(source, "w=8&bg=00f")
    assert image.bands == 3 and pixel(image, 4, 4) == (0, 0, 255)
    _, image = transform(source, "w=8&bg=00f&bga=0.5")
    assert pixel(image, 4, 4) == (0, 0, 255, 128)
    _, image = transform(source, "w=8&bg=0000ff80")
    assert pixel(image, 4, 4)[3] == 128
