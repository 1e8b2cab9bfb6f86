from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

import pytest

from imgwired.imaging.errors import ImageRejectedError
from imgwired.imaging.polyglot import check_polyglot
from imgwired.imaging.vips import pyvips
from imgwired.media_types import SupportedMimeType as Mime
from tests.imaging.samples import (
    animation,
    bmff_with_box,
    colour_image,
    encoded,
    gif_extension,
    gif_with_extension,
    heif,
    jpeg_with_late_segment,
    png_with_chunk,
    png_with_late_chunk,
    riff_chunk,
    webp_with_chunk,
    webp_with_frame_chunk,
)

XMP = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
)


@pytest.fixture(scope="module")
def png() -> bytes:
    return encoded(colour_image(), ".png")


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return encoded(colour_image(), ".jpg")


@pytest.fixture(scope="module")
def gif() -> bytes:
    return encoded(animation(), ".gif")


def reason(data: bytes, mime_type: Mime) -> str | None:
    try:
        check_polyglot(data, mime_type)
    except ImageRejectedError as error:
        return error.reason
    return None


def test_clean_images_pass(png: bytes, jpeg: bytes, gif: bytes) -> None:
    assert reason(png, Mime.PNG) is None
    assert reason(jpeg, Mime.JPEG) is None
    assert reason(gif, Mime.GIF) is None


@pytest.mark.parametrize(
    "payload",
    [
        b"<html><body>hi</body></html>",
        b"<!DOCTYPE html>",
        b"<SCRIPT>alert(1)</SCRIPT>",
        b"<ScRiPt src=//evil>",
        b"<iframe src=//evil>",
        b"<?php system($_GET['c']); ?>",
        b'<svg onload="alert(1)">',
        b'<?xml version="1.0"?><html/>',
    ],
)
def test_markup_after_the_image_is_a_polyglot(payload: bytes, png: bytes, jpeg: bytes) -> None:
    assert reason(png + payload, Mime.PNG) == "polyglot"
    assert reason(jpeg + payload, Mime.JPEG) == "polyglot"


def test_script_after_the_gif_trailer_is_a_polyglot(gif: bytes) -> None:
    assert reason(gif + b"<script>alert(document.domain)</script>", Mime.GIF) == "polyglot"


def test_markup_after_an_appended_eoi_is_still_found(jpeg: bytes) -> None:
    assert reason(jpeg + b"<script>alert(1)</script>\xff\xd9", Mime.JPEG) == "polyglot"


def test_html_in_the_first_kib_is_a_polyglot(png: bytes) -> None:
    data = png_with_chunk(png, b"tEXt", b"Comment\x00<html><script>alert(1)</script>")
    assert reason(data, Mime.PNG) == "polyglot"


def test_xmp_in_the_first_kib_is_allowed(png: bytes) -> None:
    data = png_with_chunk(png, b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP)
    assert reason(data, Mime.PNG) is None


def test_xml_after_the_image_is_a_polyglot(png: bytes) -> None:
    assert reason(png + XMP, Mime.PNG) == "polyglot"


def test_markup_inside_a_file_without_an_end_is_a_polyglot() -> None:
    tiff = encoded(colour_image(), ".tif")
    assert reason(tiff, Mime.TIFF) is None
    assert reason(tiff + b"<html>", Mime.TIFF) == "polyglot"
    assert reason(tiff + XMP, Mime.TIFF) is None  # XMP may sit anywhere in a TIFF


def test_zip_after_a_jpeg_is_a_polyglot(jpeg: bytes) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.txt", "not an image")
    assert reason(jpeg + archive.getvalue(), Mime.JPEG) == "polyglot"


def test_large_unknown_trailers_are_refused_except_after_jpeg(png: bytes, jpeg: bytes) -> None:
    blob = b"\x01\x02\x03\x04" * 2048  # 8 KiB, no markup, no ZIP
    assert reason(png + blob, Mime.PNG) == "polyglot"
    assert reason(png + blob[:1024], Mime.PNG) is None
    # Phones append a video to "motion photo" JPEGs: a trailer there is normal.
    assert reason(jpeg + blob, Mime.JPEG) is None


def test_zero_padding_is_not_a_polyglot(png: bytes) -> None:
    assert reason(png + bytes(64 * 1024), Mime.PNG) is None


def test_truncation_is_reported_after_scanning_for_markup(png: bytes) -> None:
    cut = png[: len(png) * 6 // 10]
    assert reason(cut, Mime.PNG) == "truncated"
    assert reason(cut + b"<script>", Mime.PNG) == "polyglot"


def test_markers_straddling_a_scan_chunk_are_found(png: bytes) -> None:
    # The trailer is scanned in 1 MiB pieces: put a marker across the first boundary.
    filler = bytes((1 << 20) - 3)
    assert reason(png + filler + b"<script>", Mime.PNG) == "polyglot"


# -- markup inside metadata, anywhere in the file -------------------------------------------------

MARKUP = b"<html><script>alert(document.domain)</script></html>"


@pytest.fixture(scope="module")
def webp() -> bytes:
    return encoded(colour_image(), ".webp")


@pytest.fixture(scope="module")
def animated_webp() -> bytes:
    return encoded(animation(), ".webp")


@pytest.mark.parametrize("marker", [0xFE, *range(0xE0, 0xF0)], ids=lambda m: f"{m:02X}")
def test_markup_in_a_jpeg_segment_past_the_first_kib_is_a_polyglot(
    jpeg: bytes, marker: int
) -> None:
    data = jpeg_with_late_segment(jpeg, marker, b"comment " + MARKUP)
    assert data.index(b"<html") > 1024
    assert reason(data, Mime.JPEG) == "polyglot"


def test_markup_in_a_later_jpeg_stream_is_a_polyglot(jpeg: bytes) -> None:
    # An MPF or Ultra HDR file: the second stream is image, and its metadata is metadata.
    second = jpeg_with_late_segment(jpeg, 0xFE, MARKUP)
    assert reason(jpeg + second, Mime.JPEG) == "polyglot"


def test_xmp_in_a_jpeg_segment_past_the_first_kib_is_allowed(jpeg: bytes) -> None:
    data = jpeg_with_late_segment(jpeg, 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)
    assert reason(data, Mime.JPEG) is None


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        pytest.param(b"tEXt", b"Comment\x00" + MARKUP, id="tEXt"),
        pytest.param(b"zTXt", b"Comment\x00\x00" + zlib.compress(MARKUP), id="zTXt"),
        pytest.param(b"iTXt", b"Comment\x00\x00\x00en\x00\x00" + MARKUP, id="iTXt"),
        pytest.param(
            b"iTXt", b"Comment\x00\x01\x00en\x00Note\x00" + zlib.compress(MARKUP), id="iTXt-zlib"
        ),
        pytest.param(b"iCCP", b"Profile\x00\x00" + zlib.compress(MARKUP), id="iCCP"),
        pytest.param(b"eXIf", b"MM\x00*" + MARKUP, id="eXIf"),
        pytest.param(b"prIv", MARKUP, id="private-chunk"),
    ],
)
def test_markup_in_a_png_chunk_past_the_first_kib_is_a_polyglot(
    png: bytes, kind: bytes, payload: bytes
) -> None:
    data = png_with_late_chunk(png, kind, payload)
    assert reason(data, Mime.PNG) == "polyglot"


def test_compressed_png_text_is_read_like_a_viewer_reads_it(png: bytes) -> None:
    # Only inflating shows the markup: the compressed bytes do not contain it.
    payload = b"Comment\x00\x00" + zlib.compress(MARKUP)
    assert MARKUP not in payload
    assert reason(png_with_late_chunk(png, b"zTXt", payload), Mime.PNG) == "polyglot"


def test_png_text_that_inflates_beyond_the_limit_is_refused(png: bytes) -> None:
    bomb = b"Comment\x00\x00" + zlib.compress(bytes(9 << 20), 9)
    assert reason(png_with_late_chunk(png, b"zTXt", bomb), Mime.PNG) == "polyglot"


def test_xmp_in_a_png_chunk_past_the_first_kib_is_allowed(png: bytes) -> None:
    data = png_with_late_chunk(png, b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP)
    assert reason(data, Mime.PNG) is None


@pytest.mark.parametrize(
    "label", [0xFE, 0x01, 0xFF, 0xF9], ids=["comment", "plain-text", "application", "control"]
)
def test_markup_in_a_gif_extension_is_a_polyglot(gif: bytes, label: int) -> None:
    data = gif_with_extension(gif, gif_extension(label, b"NETSCAPE2.0" + MARKUP))
    assert data.index(b"<html") > 1024
    assert reason(data, Mime.GIF) == "polyglot"


def test_markup_split_across_gif_sub_blocks_is_found(gif: bytes) -> None:
    # Readers join sub-blocks: "<scr" + "ipt>" is one "<script>" to them.
    extension = gif_extension(0xFE, b"<scr" + b"ipt>alert(1)", block_size=4)
    assert b"<script" not in extension
    assert reason(gif_with_extension(gif, extension), Mime.GIF) == "polyglot"


def test_xmp_in_a_gif_application_extension_is_allowed(gif: bytes) -> None:
    data = gif_with_extension(gif, gif_extension(0xFF, b"XMP DataXMP" + XMP))
    assert reason(data, Mime.GIF) is None


@pytest.mark.parametrize("kind", [b"EXIF", b"XMP ", b"ICCP", b"abcd"])
def test_markup_in_a_webp_chunk_is_a_polyglot(webp: bytes, kind: bytes) -> None:
    data = webp_with_chunk(webp, riff_chunk(kind, MARKUP))
    assert reason(data, Mime.WEBP) == "polyglot"


def test_markup_in_a_webp_animation_frame_is_a_polyglot(animated_webp: bytes) -> None:
    data = webp_with_frame_chunk(animated_webp, riff_chunk(b"abcd", MARKUP))
    assert reason(animated_webp, Mime.WEBP) is None
    assert reason(data, Mime.WEBP) == "polyglot"


def test_webp_chunks_that_cannot_be_walked_are_scanned_whole(webp: bytes) -> None:
    # A chunk whose size overruns the container: the rest is scanned as one piece.
    broken = b"abcd" + (1 << 30).to_bytes(4, "little") + MARKUP
    assert reason(webp_with_chunk(webp, broken), Mime.WEBP) == "polyglot"


def test_xmp_in_a_webp_chunk_is_allowed(webp: bytes) -> None:
    assert reason(webp_with_chunk(webp, riff_chunk(b"XMP ", XMP)), Mime.WEBP) is None


@pytest.mark.parametrize(
    ("make", "mime_type"),
    [
        pytest.param(lambda: encoded(colour_image(), ".avif"), Mime.AVIF, id="avif"),
        pytest.param(heif, Mime.HEIC, id="heic"),
    ],
)
def test_markup_anywhere_in_an_iso_bmff_file_is_a_polyglot(
    make: Callable[[], bytes], mime_type: Mime
) -> None:
    data = make()
    assert reason(data, mime_type) is None
    assert reason(bmff_with_box(data, b"uuid", bytes(16) + MARKUP), mime_type) == "polyglot"
    assert reason(bmff_with_box(data, b"uuid", bytes(16) + XMP), mime_type) is None


@pytest.mark.parametrize(
    ("suffix", "mime_type"),
    [(".jpg", Mime.JPEG), (".png", Mime.PNG), (".webp", Mime.WEBP), (".gif", Mime.GIF)],
)
def test_real_metadata_is_not_a_polyglot(suffix: str, mime_type: Mime) -> None:
    image = colour_image(300, 200)
    image.set_type(pyvips().GValue.gstr_type, "exif-ifd0-ImageDescription", "<b>bold</b> text")
    image.set_type(pyvips().GValue.blob_type, "xmp-data", XMP)
    assert reason(encoded(image, suffix), mime_type) is None
