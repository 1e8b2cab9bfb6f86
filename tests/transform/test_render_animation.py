"""Animated GIF and WebP: every frame kept where the output can animate, else the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgwired.transform.grammar.params import OutputFormat
from tests.imaging.samples import animation
from tests.transform.helpers import decode, frame_count, pixel, save, transform

FRAMES = 4


@pytest.fixture(params=[".gif", ".webp"])
def animated(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return save(animation(FRAMES, 100), tmp_path / f"animated{request.param}")


@pytest.mark.parametrize("output", [OutputFormat.GIF, OutputFormat.WEBP, None])
def test_resizing_keeps_every_frame(animated: Path, output: OutputFormat | None) -> None:
    rendered, _ = transform(animated, "w=50", output)
    assert rendered.format in (OutputFormat.GIF, OutputFormat.WEBP)
    assert (rendered.width, rendered.height) == (50, 50)
    assert frame_count(rendered.data) == FRAMES
    strip = decode(rendered.data, n=-1)
    assert strip.get("page-height") == 50
    assert strip.get("delay") == [100] * FRAMES


def test_an_animated_webp_without_a_format_becomes_a_gif(tmp_path: Path) -> None:
    source = save(animation(FRAMES, 60), tmp_path / "animated.webp")
    rendered, _ = transform(source, "w=30")
    assert rendered.format is OutputFormat.GIF
    assert frame_count(rendered.data) == FRAMES


@pytest.mark.parametrize("query", ["crop=20:10:nw", "crop=10:10:40:20&rot=90", "neg=1&pd=5"])
def test_crops_turns_and_effects_apply_to_every_frame(animated: Path, query: str) -> None:
    rendered, _ = transform(animated, query, OutputFormat.GIF)
    assert frame_count(rendered.data) == FRAMES
    strip = decode(rendered.data, n=-1)
    assert strip.height == rendered.height * FRAMES


def test_the_frames_stay_different(animated: Path) -> None:
    rendered, _ = transform(animated, "w=20&crop=10:10", OutputFormat.WEBP)
    strip = decode(rendered.data, n=-1)
    first, last = pixel(strip, 5, 5), pixel(strip, 5, 5 + 10 * (FRAMES - 1))
    assert first != last


def test_attention_in_an_animation_uses_the_centre(animated: Path) -> None:
    rendered, _ = transform(animated, "w=50&h=20&resizing_type=cover&g=attention", OutputFormat.GIF)
    assert (rendered.width, rendered.height) == (50, 20)
    assert frame_count(rendered.data) == FRAMES


@pytest.mark.parametrize("output", [OutputFormat.JPEG, OutputFormat.PNG, OutputFormat.AVIF])
def test_formats_without_animation_get_the_first_frame(
    animated: Path, output: OutputFormat
) -> None:
    rendered, image = transform(animated, "w=50", output)
    assert rendered.format is output
    assert (image.width, image.height) == (50, 50)
    assert frame_count(rendered.data) == 1
