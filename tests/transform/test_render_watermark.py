"""Watermarks as a viewer sees them: where the mark lands, how large, turned, faded, shadowed.

The image is 200x100 light grey; the mark is a 40x20 solid blue PNG. Outputs are PNG, so the
pixels checked are exact (up to resampling at edges, which the checks stay clear of).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import pytest

from imgwired.errors import InvalidTransformationError, TransformationTooLargeError
from imgwired.media_types import SupportedMimeType
from imgwired.transform.grammar.params import OutputFormat, parse_transformations
from imgwired.transform.render import render
from imgwired.transform.watermark import MarkFile
from tests.imaging.samples import animation
from tests.transform.helpers import decode, frame_count, near, rgb, save, solid
from tests.transform.watermark_helpers import box_of

GREY = (200, 200, 200)
BLUE = (0, 0, 255)
MARK_ID = "0190f0c4-7b1e-7cc1-8a5e-3f4d2a1b9c00"


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return save(solid(GREY, 200, 100), tmp_path / "base.png")


@pytest.fixture
def mark(tmp_path: Path) -> MarkFile:
    return MarkFile(save(solid(BLUE, 40, 20), tmp_path / "mark.png"), SupportedMimeType.PNG)


def stamped(
    source: Path,
    query: str,
    mark: MarkFile | None = None,
    *,
    output: OutputFormat = OutputFormat.PNG,
    max_pixels: int = 250_000_000,
) -> Any:
    t = parse_transformations(parse_qsl(query, keep_blank_values=True))
    rendered = render(
        source, SupportedMimeType.PNG, t, output, max_pixels=max_pixels, mark_file=mark
    )
    return decode(rendered.data)


@pytest.mark.parametrize(
    ("position", "box"),
    [
        ("center", (80, 40, 120, 60)),
        ("north", (80, 0, 120, 20)),
        ("south", (80, 80, 120, 100)),
        ("east", (160, 40, 200, 60)),
        ("west", (0, 40, 40, 60)),
        ("nw", (0, 0, 40, 20)),
        ("ne", (160, 0, 200, 20)),
        ("sw", (0, 80, 40, 100)),
        ("se", (160, 80, 200, 100)),
        # Offsets count from the gravity's edge toward the inside; from the centre, right/down.
        ("se:10:5", (150, 75, 190, 95)),
        ("nw:10:5", (10, 5, 50, 25)),
        ("ce:-30:10", (50, 50, 90, 70)),
        ("ne:0.25:0.1", (110, 10, 150, 30)),  # fractions of the image: 50 and 10 pixels
        ("sw:-10:-10", (0, 90, 30, 100)),  # outward: the rest is off the image
    ],
)
def test_the_mark_lands_at_its_gravity_and_offsets(
    base: Path, mark: MarkFile, position: str, box: tuple[int, int, int, int]
) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmp={position}", mark)
    assert (image.width, image.height) == (200, 100)
    assert box_of(image, BLUE) == box
    assert near(rgb(image, *_outside(box)), GREY, 2)


def _outside(box: tuple[int, int, int, int]) -> tuple[int, int]:
    return (199, 99) if box[0] < 100 and box[1] < 50 else (0, 0)


def test_the_position_given_with_watermark_is_used_and_watermark_position_wins(
    base: Path, mark: MarkFile
) -> None:
    assert box_of(stamped(base, f"wm={MARK_ID}:se:10:5", mark), BLUE) == (150, 75, 190, 95)
    image = stamped(base, f"wm={MARK_ID}:se:10:5&wmp=nw", mark)
    assert box_of(image, BLUE) == (10, 5, 50, 25)  # nw from wmp, offsets from watermark


def test_offsets_in_pixels_follow_dpr(base: Path, mark: MarkFile) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmp=nw:10:5&dpr=2&enlarge=1", mark)
    assert (image.width, image.height) == (400, 200)
    assert box_of(image, BLUE) == (20, 10, 60, 30)


@pytest.mark.parametrize(
    ("opacity", "blend", "expected"),
    [
        ("0.5", "normal", (100, 100, 228)),
        ("0.25", "normal", (150, 150, 214)),
        ("0", "normal", GREY),
        ("1", "multiply", (0, 0, 200)),
        ("1", "screen", (200, 200, 255)),
    ],
)
def test_opacity_and_blend(
    base: Path, mark: MarkFile, opacity: str, blend: str, expected: tuple[int, int, int]
) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmp=ce:0:0:{opacity}:{blend}", mark)
    assert near(rgb(image, 100, 50), expected, 3), rgb(image, 100, 50)
    assert near(rgb(image, 10, 10), GREY, 0)


@pytest.mark.parametrize(
    ("size", "box"),
    [
        ("100", (50, 25, 150, 75)),  # 100 wide, the height follows
        ("0:10", (90, 45, 110, 55)),
        ("0.5", (50, 25, 150, 75)),  # half the image's width
        ("60:60", (70, 35, 130, 65)),  # fitted inside 60x60, enlarged
        ("::0.25", (75, 38, 125, 63)),  # inside 50x25: 50x25
        ("1000:0.2", (80, 40, 120, 60)),  # inside 1000x20: 40x20
    ],
)
def test_watermark_size(
    base: Path, mark: MarkFile, size: str, box: tuple[int, int, int, int]
) -> None:
    image = stamped(base, f"wm={MARK_ID}&wms={size}", mark)
    found = box_of(image, BLUE)
    assert all(abs(a - b) <= 1 for a, b in zip(found, box, strict=True)), found


def test_a_right_angle_turns_the_mark(base: Path, mark: MarkFile) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmr=90&wmp=nw", mark)
    assert box_of(image, BLUE) == (0, 0, 20, 40)


def test_any_angle_grows_a_clear_canvas_around_the_mark(base: Path, mark: MarkFile) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmr=45&wmp=nw", mark)
    left, top, right, bottom = box_of(image, BLUE)
    # A 40x20 box turned 45 degrees spans about 42x42, its corners left clear.
    assert left <= 2 and top <= 2
    assert 40 <= right <= 44 and 40 <= bottom <= 44
    assert near(rgb(image, 1, 1), GREY, 2)
    assert near(rgb(image, 21, 21), BLUE, 2)


def test_a_rotation_background_fills_the_corners(base: Path, mark: MarkFile) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmr=45:ff0000&wmp=nw", mark)
    assert near(rgb(image, 1, 1), (255, 0, 0), 2)


def test_a_shadow_is_drawn_under_the_mark_at_its_offset(base: Path, mark: MarkFile) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmp=nw:10:10&wmsh=000000:0:6:4", mark)
    assert box_of(image, BLUE) == (10, 10, 50, 30)
    assert box_of(image, (0, 0, 0), tolerance=10) == (16, 14, 56, 34)
    assert near(rgb(image, 53, 32), (0, 0, 0), 0)  # beyond the mark: the shadow
    assert near(rgb(image, 12, 32), GREY, 0)  # left of the shifted shadow: the image


def test_a_default_shadow_is_soft_and_translucent(base: Path, mark: MarkFile) -> None:
    plain = stamped(base, f"wm={MARK_ID}&wmp=nw:10:10", mark)
    shadowed = stamped(base, f"wm={MARK_ID}&wmp=nw:10:10&wmsh=true", mark)
    assert near(rgb(plain, 52, 32), GREY, 0)
    shade = rgb(shadowed, 52, 32)
    assert 40 < shade[0] < 190, shade  # darker than the image, lighter than black
    assert rgb(shadowed, 80, 60) == rgb(plain, 80, 60) == GREY  # far away: untouched


def test_opacity_fades_the_shadow_with_the_mark(base: Path, mark: MarkFile) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmp=nw:10:10:0.5&wmsh=000000:0:6:4", mark)
    assert near(rgb(image, 53, 32), (100, 100, 100), 2)


def test_a_mark_off_the_image_changes_nothing(base: Path, mark: MarkFile) -> None:
    image = stamped(base, f"wm={MARK_ID}&wmp=nw:-500:0", mark)
    assert image.max() == image.min() == 200


def test_text_is_drawn_in_its_colour_and_size(base: Path) -> None:
    small = stamped(base, 'wmt={"text":"HHHH","size":20,"color":"f00"}&wmp=nw')
    large = stamped(base, 'wmt={"text":"HHHH","size":40,"color":"f00"}&wmp=nw')
    small_box, large_box = box_of(small, (255, 0, 0)), box_of(large, (255, 0, 0))
    assert small_box[2] - small_box[0] >= 30
    assert 1.7 <= (large_box[2] - large_box[0]) / (small_box[2] - small_box[0]) <= 2.3


def test_text_is_fitted_to_watermark_size(base: Path) -> None:
    image = stamped(base, 'wmt={"text":"HHHH","color":"00f"}&wms=150&wmp=w')
    left, _, right, _ = box_of(image, BLUE, tolerance=80)
    assert 130 <= right - left <= 150


def test_text_is_written_as_is_never_as_markup(base: Path) -> None:
    image = stamped(base, "wmt=%3Cb%3Ex%3C%2Fb%3E+%26+%3Cspan+size%3D%2299999%22%3E")
    assert image.min() < 100  # drawn, in black, rather than refused or blown up


def test_huge_text_is_refused_before_it_is_drawn(base: Path) -> None:
    text = "W" * 1000
    with pytest.raises(TransformationTooLargeError, match="watermark_text"):
        stamped(base, f'wmt={{"text":"{text}","size":256}}')


def test_every_frame_of_an_animation_is_marked(tmp_path: Path, mark: MarkFile) -> None:
    source = save(animation(3, 100), tmp_path / "animated.gif")
    t = parse_transformations([("wm", MARK_ID), ("wmp", "nw")])
    rendered = render(
        source, SupportedMimeType.GIF, t, OutputFormat.GIF, max_pixels=10**8, mark_file=mark
    )
    assert frame_count(rendered.data) == 3
    strip = decode(rendered.data, n=-1)
    for frame in range(3):
        assert near(rgb(strip, 5, 5 + frame * rendered.height), BLUE, 30)


def test_a_jpeg_output_keeps_no_alpha_and_a_png_keeps_its_own(
    tmp_path: Path, mark: MarkFile
) -> None:
    clear = save(solid((0, 0, 0, 0), 200, 100), tmp_path / "clear.png")
    png = stamped(clear, f"wm={MARK_ID}&wmp=nw", mark)
    assert png.bands == 4
    assert png(100, 50)[3] == 0 and png(5, 5)[3] == 255
    jpeg = stamped(clear, f"wm={MARK_ID}&wmp=nw", mark, output=OutputFormat.JPEG)
    assert jpeg.bands == 3
    assert near(rgb(jpeg, 5, 5), BLUE, 30)


def test_a_mark_over_the_pixel_limit_is_refused(base: Path, tmp_path: Path) -> None:
    big = MarkFile(save(solid(BLUE, 300, 300), tmp_path / "big.png"), SupportedMimeType.PNG)
    with pytest.raises(TransformationTooLargeError, match="watermark image is 300x300"):
        stamped(base, f"wm={MARK_ID}", big, max_pixels=50_000)


def test_a_mark_only_an_untrusted_decoder_reads_is_refused(base: Path, tmp_path: Path) -> None:
    bmp = MarkFile(tmp_path / "mark.bmp", SupportedMimeType.BMP)
    with pytest.raises(InvalidTransformationError, match="cannot read"):
        stamped(base, f"wm={MARK_ID}", bmp)


def test_an_unreadable_mark_is_a_400_not_a_crash(base: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(InvalidTransformationError, match="could not be read"):
        stamped(base, f"wm={MARK_ID}", MarkFile(broken, SupportedMimeType.PNG))


@pytest.mark.parametrize(("align", "first_line"), [("left", 1), ("center", 50), ("right", 98)])
def test_the_lines_of_a_text_are_aligned_as_asked(base: Path, align: str, first_line: int) -> None:
    value = json.dumps({"text": "i\nmmmmmm", "align": align, "color": "0000ff", "size": 20})
    image = stamped(base, f"wmt={quote(value)}&wmp=nw")
    assert box_of(image, BLUE)[::2] == (1, 99)  # the text's box: as wide as its longest line
    assert box_of(image.extract_area(0, 0, 200, 14), BLUE)[0] == first_line  # the "i"
