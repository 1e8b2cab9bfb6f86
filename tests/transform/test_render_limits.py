"""Limits: sources refused before decoding, outputs over the side limit, untransformable types,
and renders running side by side in threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from imgwired.errors import InvalidTransformationError, TransformationTooLargeError
from imgwired.media_types import SupportedMimeType
from imgwired.transform.grammar.params import OutputFormat, parse_transformations
from imgwired.transform.render import render
from tests.imaging.samples import animation, png_bomb
from tests.transform.helpers import save, transform


def test_a_source_over_the_pixel_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb(50_000, 50_000))
    started = time.perf_counter()
    with pytest.raises(TransformationTooLargeError, match="50000x50000") as caught:
        transform(bomb, "w=100")
    assert time.perf_counter() - started < 2  # a decode of 2.5 gigapixels would take far longer
    assert "250000000" in caught.value.detail


def test_every_frame_counts_toward_the_pixel_limit(tmp_path: Path) -> None:
    source = save(animation(4, 100), tmp_path / "animated.gif")
    transform(source, "w=10", max_pixels=40_000)
    with pytest.raises(TransformationTooLargeError, match="in 4 frames"):
        transform(source, "w=10", max_pixels=39_999)


def test_width_times_dpr_over_8192_is_refused(quadrant_png: Path) -> None:
    with pytest.raises(TransformationTooLargeError, match="10000"):
        transform(quadrant_png, "w=5000&dpr=2")
    with pytest.raises(TransformationTooLargeError):
        transform(quadrant_png, "h=8192&dpr=1.01")


@pytest.mark.parametrize(
    "query",
    [
        "pd=30",
        "ex=0:60",
        "exar=3",
        "rot=45",
        "dpr=2&enlarge=1",
    ],
)
def test_explicit_growth_over_the_side_limit_is_refused(quadrant_png: Path, query: str) -> None:
    with pytest.raises(TransformationTooLargeError):
        transform(quadrant_png, query, max_dimension=210)


def test_a_source_over_the_side_limit_is_scaled_to_fit(quadrant_png: Path) -> None:
    rendered, _ = transform(quadrant_png, "format=webp", max_dimension=100)
    assert (rendered.width, rendered.height) == (100, 50)
    rendered, _ = transform(quadrant_png, "rot=90", max_dimension=100)
    assert (rendered.width, rendered.height) == (50, 100)


@pytest.mark.parametrize("source_type", [SupportedMimeType.BMP, SupportedMimeType.ICO])
def test_types_only_untrusted_decoders_read_cannot_be_transformed(
    quadrant_png: Path, source_type: SupportedMimeType
) -> None:
    with pytest.raises(InvalidTransformationError, match="cannot be transformed"):
        render(
            quadrant_png,
            source_type,
            parse_transformations([("w", "10")]),
            None,
            max_pixels=10**8,
        )


def test_renders_in_threads_match_renders_in_turn(quadrant_png: Path) -> None:
    queries = ["w=50", "rot=90&neg=1", "crop=50:50:se&blur=1", "pd=5&bg=f00", "mc=1&w=120"] * 4

    def one(query: str) -> bytes:
        rendered, _ = transform(quadrant_png, query, OutputFormat.PNG)
        return rendered.data

    in_turn = [one(query) for query in queries]
    with ThreadPoolExecutor(max_workers=4) as pool:
        side_by_side = list(pool.map(one, queries))
    assert side_by_side == in_turn
