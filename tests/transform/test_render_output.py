"""Encoding: formats, the default family, quality, progressive, profiles, metadata and dpi."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imgwired.errors import InvalidTransformationError
from imgwired.imaging.vips import pyvips
from imgwired.media_types import SupportedMimeType
from imgwired.transform.grammar.params import OutputFormat, parse_transformations
from imgwired.transform.render import is_animated_capable, output_family, render
from tests.transform.helpers import MAGIC, decode, quadrants, save, solid, transform


@pytest.mark.parametrize("output", list(OutputFormat))
def test_every_output_format(quadrant_png: Path, output: OutputFormat) -> None:
    rendered, image = transform(quadrant_png, "w=64", output)
    assert rendered.format is output
    assert MAGIC[output](rendered.data)
    assert (image.width, image.height) == (64, 32)


@pytest.mark.parametrize(
    ("suffix", "alpha", "expected"),
    [
        (".jpg", False, OutputFormat.JPEG),
        (".png", False, OutputFormat.PNG),
        (".png", True, OutputFormat.PNG),
        (".gif", False, OutputFormat.GIF),
        (".webp", False, OutputFormat.JPEG),
        (".webp", True, OutputFormat.PNG),
        (".tif", False, OutputFormat.JPEG),
        (".tif", True, OutputFormat.PNG),
        (".avif", False, OutputFormat.JPEG),
    ],
)
def test_without_a_format_the_original_family_is_kept(
    tmp_path: Path, suffix: str, alpha: bool, expected: OutputFormat
) -> None:
    colour = (200, 100, 50, 128) if alpha else (200, 100, 50)
    source = save(solid(colour, 40, 30), tmp_path / f"source{suffix}")
    rendered, _ = transform(source, "w=20")
    assert rendered.format is expected


def test_output_family_and_animation_capability() -> None:
    assert output_family(SupportedMimeType.HEIC, has_alpha=False) is OutputFormat.JPEG
    assert output_family(SupportedMimeType.JXL, has_alpha=True) is OutputFormat.PNG
    assert output_family(SupportedMimeType.WEBP, False, animated=True) is OutputFormat.GIF
    assert output_family(SupportedMimeType.GIF, False, animated=True) is OutputFormat.GIF
    assert {f for f in OutputFormat if is_animated_capable(f)} == {
        OutputFormat.GIF,
        OutputFormat.WEBP,
    }


@pytest.mark.parametrize("output", [OutputFormat.JPEG, OutputFormat.WEBP, OutputFormat.AVIF])
def test_quality_trades_size(tmp_path: Path, output: OutputFormat) -> None:
    source = save(quadrants(8, 8).replicate(16, 8).gaussblur(1), tmp_path / "busy.png")
    low, _ = transform(source, "q=10", output)
    high, _ = transform(source, "q=95", output)
    auto, _ = transform(source, "q=auto", output)
    assert len(low.data) < len(auto.data) < len(high.data)


def _is_progressive(jpeg: bytes) -> bool:
    return b"\xff\xc2" in jpeg


def test_jpeg_is_progressive_unless_asked_not_to(quadrant_png: Path) -> None:
    auto, _ = transform(quadrant_png, "w=100", OutputFormat.JPEG)
    baseline, _ = transform(quadrant_png, "w=100&progressive=false", OutputFormat.JPEG)
    assert _is_progressive(auto.data) and not _is_progressive(baseline.data)
    _, image = transform(quadrant_png, "progressive=true", OutputFormat.PNG)
    assert image.get("interlaced") == 1


def test_chroma_subsampling(quadrant_png: Path) -> None:
    full, _ = transform(quadrant_png, "chroma_subsampling=4:4:4", OutputFormat.JPEG)
    halved, _ = transform(quadrant_png, "chroma_subsampling=4:2:0", OutputFormat.JPEG)
    assert decode(full.data).get("jpeg-chroma-subsample") == "4:4:4"
    assert decode(halved.data).get("jpeg-chroma-subsample") == "4:2:0"


def test_dpi_sets_the_resolution(quadrant_png: Path) -> None:
    for output in (OutputFormat.JPEG, OutputFormat.PNG, OutputFormat.TIFF):
        _, image = transform(quadrant_png, "dpi=300", output)
        assert image.xres * 25.4 == pytest.approx(300, rel=0.01)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    vips = pyvips()
    image = quadrants().copy()
    for name, value in (
        ("exif-ifd0-Copyright", "ACME Photos"),
        ("exif-ifd0-Make", "Camera Maker"),
        ("exif-ifd0-Artist", "Someone"),
    ):
        image.set_type(vips.GValue.gstr_type, name, value)
    return save(image, tmp_path / "photo.jpg", Q=90)


def _exif(image: Any) -> set[str]:
    return {name for name in image.get_fields() if name.startswith("exif-ifd0-")}


def test_metadata_is_stripped_by_default(photo: Path) -> None:
    _, image = transform(photo, "w=100")
    assert not _exif(image)


def test_dpi_keeps_no_other_metadata(photo: Path) -> None:
    _, image = transform(photo, "w=100&dpi=150", OutputFormat.JPEG)
    assert image.xres * 25.4 == pytest.approx(150, rel=0.01)
    assert not _exif(image) & {"exif-ifd0-Copyright", "exif-ifd0-Make", "exif-ifd0-Artist"}


def test_strip_metadata_false_keeps_it(photo: Path) -> None:
    _, image = transform(photo, "w=100&strip_metadata=false")
    assert {"exif-ifd0-Copyright", "exif-ifd0-Make", "exif-ifd0-Artist"} <= _exif(image)


def test_keep_copyright_keeps_only_the_copyright(photo: Path) -> None:
    for output in (OutputFormat.JPEG, OutputFormat.WEBP, OutputFormat.PNG):
        _, image = transform(photo, "w=100&keep_copyright=true", output)
        assert "exif-ifd0-Copyright" in _exif(image)
        assert str(image.get("exif-ifd0-Copyright")).startswith("ACME Photos")
        assert not _exif(image) & {"exif-ifd0-Make", "exif-ifd0-Artist"}


@pytest.fixture
def display_p3(tmp_path: Path) -> Path:
    image = solid((200, 50, 50), 40, 30).icc_export(output_profile="p3")
    return save(image, tmp_path / "p3.png")


def _profile(image: Any) -> bytes | None:
    fields = image.get_fields()
    return bytes(image.get("icc-profile-data")) if "icc-profile-data" in fields else None


def test_profiles_are_converted_to_srgb_and_stripped_by_default(display_p3: Path) -> None:
    original = pyvips().Image.new_from_file(str(display_p3))
    _, image = transform(display_p3, "w=20")
    assert _profile(image) is None
    assert tuple(image(10, 10)) != tuple(original(10, 10))  # P3 values became sRGB values
    assert image(10, 10)[0] > 190  # ... the same red, as sRGB expresses it
    _, embedded = transform(display_p3, "w=20&strip_color_profile=false")
    assert _profile(embedded) is not None
    assert tuple(embedded(10, 10)) == tuple(image(10, 10))


@pytest.mark.parametrize("query", ["color_profile=keep", "icc=preserve&w=20&ra=cubic"])
def test_keep_keeps_the_original_profile_and_values(display_p3: Path, query: str) -> None:
    original = pyvips().Image.new_from_file(str(display_p3))
    _, image = transform(display_p3, query)
    assert _profile(image) == _profile(original)
    assert tuple(image(5, 5)) == tuple(original(5, 5))


def test_an_srgb_profile_is_embedded_on_request(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "w=20&scp=false", OutputFormat.JPEG)
    assert _profile(image) is not None


def test_cmyk_output(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "w=40&cp=cmyk&format=jpeg", OutputFormat.JPEG)
    assert image.interpretation == "cmyk" and image.bands == 4
    assert _profile(image) is not None
    tiff, _ = transform(quadrant_png, "w=40&cp=cmyk&format=tiff&scp=true", OutputFormat.TIFF)
    assert _profile(decode(tiff.data)) is None


def test_cmyk_cannot_be_encoded_as_webp(quadrant_png: Path) -> None:
    transformation = parse_transformations([("cp", "cmyk"), ("format", "jpeg")])
    with pytest.raises(InvalidTransformationError, match="cmyk cannot be encoded as webp"):
        render(
            quadrant_png,
            SupportedMimeType.PNG,
            transformation,
            OutputFormat.WEBP,
            max_pixels=10**8,
        )


def test_rgb16_gives_16_bit_png(quadrant_png: Path) -> None:
    _, image = transform(quadrant_png, "w=20&color_profile=rgb16", OutputFormat.PNG)
    assert image.format == "ushort"
    _, image = transform(quadrant_png, "w=20&color_profile=rgb16", OutputFormat.JPEG)
    assert image.format == "uchar"


def test_a_16_bit_source_is_resized_to_8_bit_by_default(tmp_path: Path) -> None:
    deep = save(quadrants().cast("ushort") * 256, tmp_path / "deep.png")
    _, image = transform(deep, "w=50", OutputFormat.WEBP)
    assert image.format == "uchar"
    _, image = transform(deep, "w=50&cp=rgb16", OutputFormat.PNG)
    assert image.format == "ushort"
