from __future__ import annotations

import io
import zipfile

import pytest

from imgwired.imaging.errors import ImageRejectedError
from imgwired.imaging.polyglot import check_polyglot
from imgwired.media_types import SupportedMimeType as Mime
from tests.imaging.samples import animation, colour_image, encoded, png_with_chunk

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
