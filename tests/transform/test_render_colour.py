"""Colour and filter operations, judged on the decoded output's pixels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imgwired.transform.grammar.params import OutputFormat
from tests.transform.helpers import near, pixel, quadrants, ramp, rgb, save, solid, transform


def rendered_colour(tmp_path: Path, colour: tuple[int, ...], query: str) -> tuple[int, ...]:
    source = save(solid(colour, 32, 32), tmp_path / "solid.png")
    _, image = transform(source, query)
    return rgb(image, 16, 16)


@pytest.mark.parametrize(
    ("colour", "query", "expected"),
    [
        ((255, 0, 0), "negate=true", (0, 255, 255)),
        ((200, 200, 200), "brightness=0.5", (100, 100, 100)),
        ((100, 100, 100), "br=2", (200, 200, 200)),
        ((200, 200, 200), "adjust=0.5", (100, 100, 100)),
        ((100, 100, 100), "contrast=2", (72, 72, 72)),
        ((100, 100, 100), "contrast=2:100", (100, 100, 100)),
        ((200, 100, 50), "co=0", (128, 128, 128)),
        ((255, 255, 255), "monochrome=ff0000", (255, 0, 0)),
        ((0, 0, 0), "duotone=f00:00f", (255, 0, 0)),
        ((255, 255, 255), "duotone=f00:00f", (0, 0, 255)),
        ((255, 0, 0), "hue=360", (255, 0, 0)),
    ],
)
def test_colour_results(
    tmp_path: Path, colour: tuple[int, ...], query: str, expected: tuple[int, ...]
) -> None:
    assert near(rendered_colour(tmp_path, colour, query), expected, tolerance=6)


def test_monochrome_has_equal_channels(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "monochrome=true")
    for x, y in ((10, 10), (190, 10), (10, 90), (190, 90)):
        red, green, blue = rgb(image, x, y)
        assert red == green == blue
    assert rgb(image, 10, 10) != rgb(image, 190, 90)  # red and yellow have different greys


def test_saturation_and_lightness(tmp_path: Path) -> None:
    grey_ish = rendered_colour(tmp_path, (200, 60, 60), "saturation=0.01")
    assert max(grey_ish) - min(grey_ish) < 10
    vivid = rendered_colour(tmp_path, (150, 110, 110), "sa=3")
    assert vivid[0] - vivid[1] > 60
    darker = rendered_colour(tmp_path, (200, 60, 60), "lightness=0.5")
    assert sum(darker) < sum((200, 60, 60)) - 100
    assert darker[0] > darker[1]  # still red


def test_hue_turns_the_colour_wheel(tmp_path: Path) -> None:
    turned = rendered_colour(tmp_path, (220, 40, 40), "hue=180")
    assert turned[0] < turned[1] and turned[0] < turned[2]  # red becomes a cyan


def test_colorize_tints_and_keeps_lightness(tmp_path: Path) -> None:
    tinted = rendered_colour(tmp_path, (128, 128, 128), "colorize=0000ff")
    assert tinted[2] > tinted[0] + 60
    half = rendered_colour(tmp_path, (128, 128, 128), "col=0000ff80")
    assert tinted[2] - tinted[0] > half[2] - half[0] > 10
    adjusted = rendered_colour(tmp_path, (128, 128, 128), "adjust=1:1:00f")
    assert near(adjusted, tinted, tolerance=2)


def test_negate_leaves_alpha_unless_asked(tmp_path: Path) -> None:
    source = save(solid((255, 0, 0, 100), 8, 8), tmp_path / "clear.png")
    _, image = transform(source, "negate=true")
    assert pixel(image, 4, 4) == (0, 255, 255, 100)
    _, image = transform(source, "negate=alpha:true")
    assert pixel(image, 4, 4) == (0, 255, 255, 155)


def variance(image: Any) -> float:
    return float(image.colourspace("b-w")[0].deviate()) ** 2


def test_normalize_stretches_a_dull_image(tmp_path: Path) -> None:
    source = save(ramp(100, 20, low=100, high=150), tmp_path / "dull.png")
    _, image = transform(source, "normalize=true")
    assert rgb(image, 1, 10)[0] < 30
    assert rgb(image, 98, 10)[0] > 225
    _, gentle = transform(source, "norm=0:100")
    assert rgb(gentle, 0, 10)[0] < 10 and rgb(gentle, 99, 10)[0] > 245


def test_blur_smooths_and_sharpen_crisps(tmp_path: Path) -> None:
    checks = quadrants(8, 8).replicate(16, 16)
    source = save(checks, tmp_path / "checks.png")
    _, original = transform(source, "format=png&strip_metadata=false")
    _, blurred = transform(source, "blur=4")
    assert variance(blurred) < variance(original) / 2
    soft = save(checks.gaussblur(2), tmp_path / "soft.png")
    _, soft_out = transform(soft, "strip_metadata=false")
    _, sharpened = transform(soft, 'sharpen={"sigma":1.5,"m2":10}')
    assert variance(sharpened) > variance(soft_out)
    _, default_sharpen = transform(soft, "sharpen=true")
    assert variance(default_sharpen) > variance(soft_out)


def test_blur_keeps_transparent_pixels_clear(tmp_path: Path) -> None:
    image = solid((255, 0, 0, 255), 40, 40).embed(20, 20, 80, 80)  # clear black around
    source = save(image, tmp_path / "island.png")
    _, blurred = transform(source, "blur=3")
    edge = pixel(blurred, 20, 40)
    assert 0 < edge[3] < 255 and edge[0] > 240  # a soft edge, still red, not darkened


def test_pixelate_makes_blocks(tmp_path: Path) -> None:
    source = save(ramp(100, 40), tmp_path / "ramp.png")
    _, image = transform(source, "pixelate=10")
    assert (image.width, image.height) == (100, 40)
    assert rgb(image, 0, 0) == rgb(image, 9, 9)
    assert rgb(image, 9, 0) != rgb(image, 10, 0)
    _, uneven = transform(source, "pix=30")
    assert (uneven.width, uneven.height) == (100, 40)


def test_gradient_overlays_top_to_bottom_by_default(tmp_path: Path) -> None:
    source = save(solid((255, 255, 255), 40, 100), tmp_path / "white.png")
    _, image = transform(source, "gradient=f00,00f")
    assert near(rgb(image, 20, 0), (255, 0, 0), tolerance=12)
    assert near(rgb(image, 20, 99), (0, 0, 255), tolerance=12)
    _, sideways = transform(source, "gradient=f00,00f:90:0.5")
    assert sideways.height == 100
    left, right = rgb(sideways, 0, 50), rgb(sideways, 39, 50)
    assert left[0] > left[2] and right[2] > right[0]
    assert left[1] > 100  # half opacity: white shows through


def test_gradient_blend_modes(tmp_path: Path) -> None:
    source = save(solid((128, 128, 128), 20, 20), tmp_path / "grey.png")
    _, image = transform(source, "gradient=000,000:180:1:screen")
    assert near(rgb(image, 10, 10), (128, 128, 128), tolerance=3)  # screen with black: no-op
    _, image = transform(source, 'gradient={"colors":["fff","fff"],"blend":"multiply"}')
    assert near(rgb(image, 10, 10), (128, 128, 128), tolerance=3)


def test_effects_apply_to_greyscale_and_16_bit_sources(tmp_path: Path) -> None:
    grey = save(ramp(40, 20)[0].copy(interpretation="b-w"), tmp_path / "grey.jpg")
    _, image = transform(grey, "colorize=f00")
    assert image.bands == 3 and rgb(image, 39, 10)[0] > rgb(image, 39, 10)[1]
    deep = save(ramp(40, 20).cast("ushort") * 256, tmp_path / "deep.png")
    _, image = transform(deep.with_suffix(".png"), "negate=true", OutputFormat.PNG)
    assert image.format == "uchar" and rgb(image, 0, 10)[0] > 250
