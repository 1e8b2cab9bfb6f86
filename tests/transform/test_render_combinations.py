"""Seeded combinations of valid parameters, on every kind of small source, always render.

A combination may be refused as too large or as not applying to the image, but never fail any
other way, and what comes out decodes at the size ``render`` reports.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from imgwired.errors import InvalidTransformationError, TransformationTooLargeError
from imgwired.media_types import SupportedMimeType
from imgwired.transform.grammar.params import OutputFormat, parse_transformations
from imgwired.transform.render import render
from tests.imaging.samples import animation
from tests.transform.helpers import MAGIC, decode, quadrants, save, solid
from tests.transform.test_params import EXAMPLES

# Values small enough for the small sources, so that most combinations render.
_SMALL = {
    "width": ["1", "7", "30"],
    "height": ["2", "30"],
    "min-width": ["5", "40"],
    "min-height": ["5", "40"],
    "dpr": ["0.5", "2"],
    "extend": ["1", "0:3", "1:2:3:4:f00"],
    "padding": ["1", "0:3", "2:3:4"],
    "zoom": ["1.5", "3:se", "2:ce:sm"],
    "crop": ["10:8", "5:5:20:10", "20:10:ce:sm", "4:4:10:10:se"],
    "rotate": ["90", "33", "180:f00"],
    "gravity": ["se", "attention", "entropy"],
    "resizing_type": ["cover", "contain", "fill", "outside"],
}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, SupportedMimeType]]:
    directory = tmp_path_factory.mktemp("sources")
    return [
        (save(quadrants(48, 32), directory / "q.png"), SupportedMimeType.PNG),
        (save(quadrants(48, 32), directory / "q.jpg"), SupportedMimeType.JPEG),
        (save(solid((10, 200, 30, 100), 20, 30), directory / "a.webp"), SupportedMimeType.WEBP),
        (save(animation(3, 24), directory / "an.gif"), SupportedMimeType.GIF),
        (
            save(quadrants(30, 20)[0].copy(interpretation="b-w"), directory / "g.jpg"),
            SupportedMimeType.JPEG,
        ),
        (save(quadrants(30, 20).cast("ushort") * 256, directory / "d.png"), SupportedMimeType.PNG),
    ]


@pytest.mark.parametrize("seed", range(4))
def test_valid_combinations_render(
    sources: list[tuple[Path, SupportedMimeType]], seed: int
) -> None:
    rng = random.Random(seed)
    rendered_count = 0
    for _ in range(60):
        names = rng.sample(sorted(EXAMPLES), rng.randrange(1, 6))
        items = [(name, rng.choice(_SMALL.get(name, [EXAMPLES[name][0]]))) for name in names]
        try:
            transformation = parse_transformations(items)
        except InvalidTransformationError:
            continue  # e.g. cmyk without an explicit jpeg or tiff format
        path, source_type = rng.choice(sources)
        output = transformation.format or rng.choice([None, *OutputFormat])
        try:
            result = render(
                path, source_type, transformation, output, max_pixels=10**7, max_dimension=64
            )
        except (InvalidTransformationError, TransformationTooLargeError):
            continue
        rendered_count += 1
        assert MAGIC[result.format](result.data)
        image = decode(result.data)
        assert (image.width, image.height) == (result.width, result.height), items
        assert result.width <= 64 and result.height <= 64
    assert rendered_count > 30
