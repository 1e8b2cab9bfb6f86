"""The Python SDK's CDN URLs are served: every parameter, under every spelling, in every form.

``Image.url()`` is called with values of each Python type it takes (strings, whole and awkward
floats, booleans, mappings for the JSON forms) for every parameter of the server's table, and
each URL it builds is requested from the app: none may be refused.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from imgwired.client import Image
from imgwired.transform.grammar.parsers import PARAMETERS
from tests.images.helpers import path_of
from tests.transform.helpers import quadrants
from tests.transform.served import ServedApp, served

AWKWARD_FLOAT = 0.1 + 0.2  # str() is 0.30000000000000004: seventeen digits

# What a user passes for each parameter, one Python value per form the server reads.
SELF = "<the image's own id>"  # replaced by the served image's id: a watermark of itself

SAMPLES: dict[str, list[Any]] = {
    "adjust": [1.2, AWKWARD_FLOAT, "1.1:1.2:1.3", "1.1::1.3", {"brightness": 1.1, "color": 1.3}],
    "background": ["#f00", "ff000080", "255:0:0:0.5"],
    "background_alpha": [0.5, 1, 2.5, 1e-7],
    "blur": [True, False, 2, 0.1, 1000.0],
    "brightness": [1.5, AWKWARD_FLOAT, 20],
    "chroma_subsampling": ["4:4:4", "4:2:2", "4:2:0", "auto"],
    "color_profile": ["srgb", "rgb16", "cmyk", "keep", "preserve"],
    "colorize": ["#00f", "0:0:255"],
    "contrast": [1.5, -1, "1.5:100", {"multiplier": 2, "pivot": 100}],
    "crop": [
        "10:10",
        "0.5:0.5",
        "10:10:20:20",
        "10:10:ce",
        {"width": 20, "height": 20},
        {"mode": "extract", "x": 1, "y": 1, "width": 10, "height": 10},
    ],
    "dpi": [72, 72.5, 0],
    "dpr": [2, 0.5, 9.0, 1e-7],
    "duotone": [
        "000:fff",
        {"shadowColor": "#000", "highlightColor": {"r": 255, "g": 255, "b": 255}},
    ],
    "enlarge": [True, False, 1, "t"],
    "extend": [2, "1:2:3:4:f00", True, "true:ce", {"top": 2, "background": "#fff"}],
    "extend_aspect_ratio": [1.5, "16:9", True, {"ratio": 2}, {"width": 3, "height": 2}],
    "flip": ["horizontal", "vertical", "both", "true:false"],
    "format": ["auto", "jpg", "jpeg", "png", "webp", "avif", "gif", "tiff"],
    "gradient": ["f00,00f", "f00,00f:90:0.5:multiply", {"colors": ["#f00", "#00f"], "angle": 45}],
    "gravity": ["north", "ce:sm", "entropy", "sowe"],
    "height": [20, 20.0, 0.5],
    "hue": [90, -30.5, 1e-7, 1e20],
    "keep_copyright": [True],
    "lightness": [0.5],
    "min-height": [10, 0.5],
    "min-width": [10],
    "monochrome": [True, False, "#0f0"],
    "negate": [True, "alpha:true"],
    "normalize": [True, "5:95", {"lower": 5, "upper": 95}],
    "padding": [3, "1:2", {"all": 2}, {"x": 1, "y": 2}],
    "pixelate": [4, 1, 2.5],
    "progressive": [True, "auto"],
    "quality": [80, 0, "auto"],
    "resizing_algorithm": ["nearest", "cubic", "mitchell", "lanczos2", "lanczos3"],
    "resizing_type": ["cover", "contain", "fill", "inside", "outside", "fit", "force"],
    "rotate": [90, 45.5, "45:f00", {"angle": 30, "background": "#fff"}],
    "saturation": [2],
    "sharpen": [True, 16, 0.5, {"sigma": 2, "m2": 500}],
    "strip_color_profile": [True, False],
    "strip_metadata": [False],
    "watermark": [SELF, f"{SELF}:se:5:5", {"image_id": SELF}, {"imageId": SELF}],
    "watermark_position": ["se", "se:5:5:0.5", {"gravity": "nw", "x": 2}],
    "watermark_rotate": [90, 45.5],
    "watermark_shadow": [True, "000000:2:3:3"],
    "watermark_size": [0.5, "20:20", "20:20:0.5"],
    "watermark_text": ["hello", {"text": "hi", "size": 12, "color": "ff0000"}],
    # Fetched with the SSRF defence: the builder's encoding is checked, the fetch is refused here.
    "watermark_url": [base64.urlsafe_b64encode(b"https://127.0.0.1/mark.png").decode()],
    "width": [20, 20.0, 0.5, 100000],
    "zoom": [2, 0.5, "2:nw"],
}


@pytest.fixture(scope="module")
def running(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedApp]:
    sources = {"quadrants": quadrants(64, 48).pngsave_buffer()}
    with served(database_template, tmp_path_factory.mktemp("sdk"), sources) as app:
        yield app


def test_every_parameter_has_samples() -> None:
    assert set(SAMPLES) == set(PARAMETERS)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_url_the_sdk_builds_is_served(running: ServedApp, name: str) -> None:
    image = Image.model_validate(running.images["quadrants"])
    spellings = [name, *PARAMETERS[name].aliases]
    calls = [(name, value) for value in SAMPLES[name]]
    calls += [(alias, SAMPLES[name][0]) for alias in spellings[1:]]
    refused = []
    for spelling, value in calls:
        url = image.url(**{spelling: _with_own_id(value, str(image.id))})
        response = running.client.get(path_of(url))
        if name == "watermark_url" and "could not be fetched" in response.text:
            continue  # read as a URL, and refused only by the fetch's address check
        if response.status_code != 200:
            refused.append((spelling, value, url, response.status_code, response.text))
    assert not refused


def _with_own_id(value: Any, image_id: str) -> Any:
    if isinstance(value, str):
        return value.replace(SELF, image_id)
    if isinstance(value, dict):
        return {key: _with_own_id(item, image_id) for key, item in value.items()}
    return value


def test_numbers_are_written_as_plain_decimals() -> None:
    image = _offline_image()
    assert image.url(dpr=1e-7).endswith("?dpr=0.0000001")
    assert image.url(hue=1e20).endswith("?hue=100000000000000000000")
    assert image.url(w=AWKWARD_FLOAT).endswith("?w=0.30000000000000004")
    assert image.url(w=300.0).endswith("?w=300.0")


def test_mappings_are_compact_json() -> None:
    url = _offline_image().url(crop={"width": 10, "height": 5})
    assert url.endswith("?crop=%7B%22width%22%3A10%2C%22height%22%3A5%7D")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {"sigma": float("-inf")}])
def test_numbers_that_are_not_finite_are_refused_before_any_request(value: Any) -> None:
    with pytest.raises(ValueError, match="finite"):
        _offline_image().url(sharpen=value)


def _offline_image() -> Image:
    return Image.model_validate(
        {
            "id": str(uuid.uuid4()),
            "original_filename": "a.jpg",
            "status": "READY",
            "cdn_url": "https://cdn.example.com/org/env/abc",
            "mime_type": "image/jpeg",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
        }
    )
