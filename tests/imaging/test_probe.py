from __future__ import annotations

import json
import random
import resource
from pathlib import Path
from typing import Any

import pytest

import imgwired.imaging.probe as probe_module
from imgwired.imaging import vips
from imgwired.imaging.probe import ImageInfo, ImageRejectedError, probe
from imgwired.imaging.vips import pyvips
from imgwired.media_types import SupportedMimeType as Mime
from tests.imaging.samples import (
    JXL_CODESTREAM,
    animation,
    bmp,
    colour_image,
    encoded,
    gif_extension,
    gif_with_extension,
    heif,
    ico,
    jpeg_with_late_segment,
    png_bomb,
    png_with_corrupt_pixels,
    png_with_late_chunk,
    riff_chunk,
    save,
    webp_with_chunk,
    write,
)


def rejection(path: Path, **options: Any) -> str:
    with pytest.raises(ImageRejectedError) as caught:
        probe(path, **options)
    return caught.value.reason


@pytest.mark.parametrize(
    ("suffix", "options", "mime_type", "extension"),
    [
        pytest.param(".jpg", {}, Mime.JPEG, "jpg", id="jpeg"),
        pytest.param(".jpg", {"interlace": True}, Mime.JPEG, "jpg", id="progressive-jpeg"),
        pytest.param(".png", {}, Mime.PNG, "png", id="png"),
        pytest.param(".png", {"interlace": True}, Mime.PNG, "png", id="interlaced-png"),
        pytest.param(".webp", {}, Mime.WEBP, "webp", id="webp"),
        pytest.param(".webp", {"lossless": True}, Mime.WEBP, "webp", id="lossless-webp"),
        pytest.param(".gif", {}, Mime.GIF, "gif", id="gif"),
        pytest.param(".tif", {"compression": "deflate"}, Mime.TIFF, "tiff", id="tiff"),
        pytest.param(".avif", {}, Mime.AVIF, "avif", id="avif"),
    ],
)
def test_each_loadable_format_is_described(
    tmp_path: Path, suffix: str, options: dict[str, Any], mime_type: Mime, extension: str
) -> None:
    # The file name says nothing true: only the bytes decide.
    path = save(colour_image(64, 48), tmp_path / f"upload{suffix}", **options)
    path = path.rename(tmp_path / "claimed.txt")
    info = probe(path)
    assert (info.mime_type, info.extension) == (mime_type, extension)
    assert (info.width, info.height, info.pages, info.is_animated) == (64, 48, 1, False)
    assert info.has_alpha is False
    assert info.orientation == 1


@pytest.mark.parametrize("suffix", [".png", ".webp", ".avif", ".tif"])
def test_alpha_is_reported(tmp_path: Path, suffix: str) -> None:
    path = save(colour_image(alpha=True), tmp_path / f"alpha{suffix}")
    assert probe(path).has_alpha is True


def test_gif_alpha_means_some_pixel_is_transparent(tmp_path: Path) -> None:
    # libvips decodes every GIF to RGBA, so the band alone would always say "alpha".
    assert probe(save(colour_image(), tmp_path / "opaque.gif")).has_alpha is False
    mask = (colour_image()[0] > 128).ifthenelse(255, 0).cast("uchar")
    holes = colour_image().bandjoin(mask).copy(interpretation="srgb")
    assert probe(save(holes, tmp_path / "holes.gif")).has_alpha is True


@pytest.mark.parametrize(("suffix", "mime_type"), [(".gif", Mime.GIF), (".webp", Mime.WEBP)])
def test_animations_count_every_frame(tmp_path: Path, suffix: str, mime_type: Mime) -> None:
    path = save(animation(frames=3, size=100), tmp_path / f"anim{suffix}")
    info = probe(path, max_pixels=40_000)
    assert (info.mime_type, info.width, info.height) == (mime_type, 100, 100)
    assert (info.pages, info.is_animated) == (3, True)
    # 3 x 100 x 100 = 30,000 pixels: over 25,000 although one frame (10,000) is not.
    assert rejection(path, max_pixels=25_000) == "too_many_pixels"


def test_still_images_are_limited_too(tmp_path: Path) -> None:
    path = save(colour_image(100, 100), tmp_path / "still.png")
    assert probe(path, max_pixels=10_000).width == 100
    assert rejection(path, max_pixels=9_999) == "too_many_pixels"


def test_exif_becomes_plain_values(tmp_path: Path) -> None:
    vips = pyvips()
    image = colour_image().copy()
    image.set_type(vips.GValue.gstr_type, "exif-ifd0-Make", "Canon")
    image.set_type(vips.GValue.gstr_type, "exif-ifd0-Model", "Canon EOS R5")
    image.set_type(vips.GValue.gstr_type, "exif-ifd2-DateTimeOriginal", "2024:05:06 07:08:09")
    image.set_type(vips.GValue.gstr_type, "exif-ifd2-FNumber", "28/10")
    image.set_type(vips.GValue.gint_type, "orientation", 6)
    info = probe(save(image, tmp_path / "photo.jpg"))
    assert info.exif["Make"] == "Canon"
    assert info.exif["Model"] == "Canon EOS R5"
    assert info.exif["DateTimeOriginal"] == "2024:05:06 07:08:09"
    assert info.exif["Orientation"] == 6
    assert info.exif["FNumber"] == pytest.approx(2.8)
    assert info.orientation == 6
    assert json.loads(json.dumps(info.exif)) == info.exif


def test_image_info_is_frozen(tmp_path: Path) -> None:
    info = probe(save(colour_image(), tmp_path / "a.png"))
    assert isinstance(info, ImageInfo)
    with pytest.raises(AttributeError):
        info.width = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(random.Random(7).randbytes(4096), id="random-bytes"),
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"plain text, nothing more\n" * 10, id="text"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', id="svg"),
    ],
)
def test_non_images_are_refused(tmp_path: Path, data: bytes) -> None:
    assert rejection(write(tmp_path / "upload.png", data)) == "not_an_image"


def test_html_appended_to_a_png_is_a_polyglot(tmp_path: Path) -> None:
    data = encoded(colour_image(), ".png") + b"<html><body><script>alert(1)</script></body></html>"
    assert rejection(write(tmp_path / "polyglot.png", data)) == "polyglot"


def test_script_after_the_gif_trailer_is_a_polyglot(tmp_path: Path) -> None:
    data = encoded(animation(), ".gif") + b"<script>alert(document.cookie)</script>"
    assert rejection(write(tmp_path / "polyglot.gif", data)) == "polyglot"


MARKUP = b"<html><script>alert(document.domain)</script></html>"


@pytest.mark.parametrize(
    ("suffix", "hide"),
    [
        pytest.param(".jpg", lambda d, p: jpeg_with_late_segment(d, 0xFE, p), id="jpeg-COM"),
        pytest.param(".png", lambda d, p: png_with_late_chunk(d, b"tEXt", b"C\x00" + p), id="png"),
        pytest.param(".gif", lambda d, p: gif_with_extension(d, gif_extension(0xFE, p)), id="gif"),
        pytest.param(".webp", lambda d, p: webp_with_chunk(d, riff_chunk(b"XMP ", p)), id="webp"),
    ],
)
def test_markup_in_metadata_past_the_first_kib_is_refused_before_decoding(
    tmp_path: Path, suffix: str, hide: Any
) -> None:
    clean = encoded(colour_image(300, 200), suffix)
    # The same place with harmless text decodes: the hiding place itself is valid.
    assert probe(write(tmp_path / f"clean{suffix}", hide(clean, b"A plain comment.")))
    data = hide(clean, MARKUP)
    assert data.lower().index(b"<html") > 1024
    assert rejection(write(tmp_path / f"hidden{suffix}", data)) == "polyglot"


def test_a_png_signature_on_a_jpeg_body_is_refused(tmp_path: Path) -> None:
    # The JPEG's first bytes read as a PNG chunk length far beyond the end of the file.
    data = b"\x89PNG\r\n\x1a\n" + encoded(colour_image(), ".jpg")
    assert rejection(write(tmp_path / "fake.png", data)) == "truncated"


def test_libvips_disagreeing_with_the_sniffer_is_a_type_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vips, "detected_loader_class", lambda path: "VipsForeignLoadJpegSource")
    assert rejection(save(colour_image(), tmp_path / "a.png")) == "type_mismatch"


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".gif", ".avif"])
def test_files_cut_at_60_percent_are_truncated(tmp_path: Path, suffix: str) -> None:
    data = encoded(colour_image(200, 150), suffix)
    assert rejection(write(tmp_path / f"cut{suffix}", data[: len(data) * 6 // 10])) == "truncated"


def test_a_cut_tiff_fails_to_decode(tmp_path: Path) -> None:
    # TIFF has no end marker to walk to: only the decoder can tell.
    data = encoded(colour_image(200, 150), ".tif")
    assert rejection(write(tmp_path / "cut.tif", data[: len(data) * 6 // 10])) == "decode_failed"


def test_corrupt_pixel_data_fails_to_decode(tmp_path: Path) -> None:
    data = png_with_corrupt_pixels(encoded(colour_image(), ".png"))
    assert rejection(write(tmp_path / "corrupt.png", data)) == "decode_failed"


def test_an_avif_with_garbage_av1_data_fails_to_decode(tmp_path: Path) -> None:
    data = heif(codec=b"av01", brands=(b"avif", b"mif1", b"avif"))
    assert rejection(write(tmp_path / "garbage.avif", data)) == "decode_failed"


def test_a_decompression_bomb_is_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_decode(*args: object) -> None:
        raise AssertionError("decoded a bomb")

    monkeypatch.setattr(probe_module, "_decode_fully", must_not_decode)
    path = write(tmp_path / "bomb.png", png_bomb(50_000, 50_000))
    assert path.stat().st_size < 200
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert rejection(path) == "too_many_pixels"
    # ru_maxrss is in KiB on Linux; 2.5 gigapixels would need gigabytes.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 64 * 1024


@pytest.mark.parametrize(
    "data",
    [pytest.param(bmp(), id="bmp"), pytest.param(ico(png_bomb(16, 16)), id="ico")],
)
def test_formats_only_imagemagick_reads_are_refused(tmp_path: Path, data: bytes) -> None:
    assert rejection(write(tmp_path / "legacy", data)) == "untrusted_loader"


def test_jpeg_xl_is_unsupported_by_this_build(tmp_path: Path) -> None:
    assert rejection(write(tmp_path / "image.jxl", JXL_CODESTREAM)) == "unsupported_format"


def test_hevc_heic_is_unsupported_by_this_build(tmp_path: Path) -> None:
    # libheif reads the header (64x48), then has no HEVC decoder; with one, this zero-filled
    # payload would be decode_failed instead.
    assert rejection(write(tmp_path / "photo.heic", heif())) == "unsupported_format"


def test_details_do_not_leak_server_paths(tmp_path: Path) -> None:
    data = png_with_corrupt_pixels(encoded(colour_image(), ".png"))
    with pytest.raises(ImageRejectedError) as caught:
        probe(write(tmp_path / "corrupt.png", data))
    assert str(tmp_path) not in caught.value.detail
    assert caught.value.error_type == "ImageRejectedError"
