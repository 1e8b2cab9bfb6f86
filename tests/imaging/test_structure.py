from __future__ import annotations

import zlib
from collections.abc import Callable

import pytest

from imgwired.imaging.structure import StructureTruncatedError, logical_end
from imgwired.media_types import SupportedMimeType as Mime
from tests.imaging.samples import (
    animation,
    bmp,
    colour_image,
    encoded,
    gif_extension,
    gif_with_extension,
    heif,
    ico,
    jpeg_with_segment,
    png_bomb,
    png_with_late_chunk,
    riff_chunk,
    webp_with_chunk,
)


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return encoded(colour_image(), ".jpg")


@pytest.fixture(scope="module")
def progressive_jpeg() -> bytes:
    return encoded(colour_image(), ".jpg", interlace=True, restart_interval=1)


@pytest.mark.parametrize(
    ("make", "mime_type"),
    [
        pytest.param(lambda: encoded(colour_image(), ".png"), Mime.PNG, id="png"),
        pytest.param(lambda: encoded(animation(), ".gif"), Mime.GIF, id="gif"),
        pytest.param(lambda: encoded(colour_image(), ".webp"), Mime.WEBP, id="webp"),
        pytest.param(lambda: encoded(colour_image(), ".avif"), Mime.AVIF, id="avif"),
        pytest.param(heif, Mime.HEIC, id="heic"),
        pytest.param(bmp, Mime.BMP, id="bmp"),
        pytest.param(lambda: ico(png_bomb(16, 16)), Mime.ICO, id="ico"),
    ],
)
def test_whole_files_end_at_their_last_byte(make: Callable[[], bytes], mime_type: Mime) -> None:
    data = make()
    assert logical_end(data, mime_type) == len(data)


@pytest.mark.parametrize(
    ("make", "mime_type"),
    [
        pytest.param(lambda: encoded(colour_image(), ".png"), Mime.PNG, id="png"),
        pytest.param(lambda: encoded(animation(), ".gif"), Mime.GIF, id="gif"),
        pytest.param(lambda: encoded(colour_image(), ".webp"), Mime.WEBP, id="webp"),
        pytest.param(bmp, Mime.BMP, id="bmp"),
        pytest.param(lambda: ico(png_bomb(16, 16)), Mime.ICO, id="ico"),
    ],
)
def test_appended_bytes_lie_after_the_end(make: Callable[[], bytes], mime_type: Mime) -> None:
    data = make()
    assert logical_end(data + b"<html><script>alert(1)</script>", mime_type) == len(data)


def test_jpeg_ends_at_its_eoi(jpeg: bytes, progressive_jpeg: bytes) -> None:
    assert logical_end(jpeg, Mime.JPEG) == len(jpeg)
    assert logical_end(progressive_jpeg, Mime.JPEG) == len(progressive_jpeg)


def test_jpeg_end_skips_a_thumbnail_with_its_own_eoi(jpeg: bytes) -> None:
    thumbnail = jpeg  # a whole JPEG, EOI included, inside an APP segment
    data = jpeg_with_segment(jpeg, 0xE9, b"thumbnail\x00" + thumbnail)
    assert logical_end(data + b"trailer", Mime.JPEG) == len(data)


def test_jpeg_end_ignores_an_eoi_appended_after_a_payload(jpeg: bytes) -> None:
    # Searching for the last FFD9 would take the payload as part of the image.
    assert logical_end(jpeg + b"<script>x</script>\xff\xd9", Mime.JPEG) == len(jpeg)


def test_jpeg_streams_stored_back_to_back_are_one_image(jpeg: bytes) -> None:
    # Multi-Picture Format and Ultra HDR gain maps follow the primary image this way.
    assert logical_end(jpeg + jpeg + jpeg, Mime.JPEG) == 3 * len(jpeg)


def test_webp_end_counts_the_riff_padding_byte() -> None:
    data = b"RIFF\x05\x00\x00\x00WEBP\x00" + b"\x00"
    assert logical_end(data + b"tail", Mime.WEBP) == len(data)


def test_bmp_end_trusts_bfsize_only_when_it_fits() -> None:
    data = bmp()
    assert logical_end(data + b"tail", Mime.BMP) == len(data)
    lying = data[:2] + (10**6).to_bytes(4, "little") + data[6:]
    assert logical_end(lying, Mime.BMP) is None


@pytest.mark.parametrize("mime_type", [Mime.TIFF, Mime.JXL])
def test_formats_without_an_end_marker_have_no_end(mime_type: Mime) -> None:
    assert logical_end(b"II*\x00" + bytes(60), mime_type) is None


@pytest.mark.parametrize(
    ("make", "mime_type"),
    [
        pytest.param(lambda: encoded(colour_image(), ".png"), Mime.PNG, id="png"),
        pytest.param(lambda: encoded(colour_image(), ".jpg"), Mime.JPEG, id="jpeg"),
        pytest.param(lambda: encoded(animation(), ".gif"), Mime.GIF, id="gif"),
        pytest.param(lambda: encoded(colour_image(), ".webp"), Mime.WEBP, id="webp"),
        pytest.param(lambda: encoded(colour_image(), ".avif"), Mime.AVIF, id="avif"),
        pytest.param(lambda: ico(png_bomb(16, 16)), Mime.ICO, id="ico"),
    ],
)
def test_cut_files_are_truncated(make: Callable[[], bytes], mime_type: Mime) -> None:
    data = make()
    with pytest.raises(StructureTruncatedError):
        logical_end(data[: len(data) * 6 // 10], mime_type)
    with pytest.raises(StructureTruncatedError):
        logical_end(data[:-1], mime_type)


def test_appended_bytes_overrun_an_iso_bmff_file() -> None:
    # Anything after the last box reads as a box header whose size runs past the file.
    with pytest.raises(StructureTruncatedError):
        logical_end(heif() + b"<html><script>", Mime.HEIC)


def test_unwalkable_structures_have_no_end(jpeg: bytes) -> None:
    assert logical_end(jpeg[:2] + b"garbage" + jpeg[2:], Mime.JPEG) is None
    assert logical_end(b"GIF89a" + bytes(7) + b"?", Mime.GIF) is None


def visited(data: bytes, mime_type: Mime) -> list[tuple[str, bytes]]:
    seen: list[tuple[str, bytes]] = []
    logical_end(
        data, mime_type, metadata=lambda name, pieces: seen.append((name, b"".join(pieces)))
    )
    return seen


def test_png_metadata_is_visited_with_compressed_text_inflated() -> None:
    png = encoded(colour_image(), ".png")
    text = b"Comment\x00\x00" + zlib.compress(b"inflated words")
    seen = dict(visited(png_with_late_chunk(png, b"zTXt", text), Mime.PNG))
    assert seen["PNG zTXt chunk"] == text + b"inflated words"
    assert not {"PNG IHDR chunk", "PNG IDAT chunk", "PNG IEND chunk"} & set(seen)


def test_jpeg_segments_are_visited_in_every_stream(jpeg: bytes) -> None:
    second = jpeg_with_segment(jpeg, 0xFE, b"second stream")
    assert ("JPEG COM segment", b"second stream") in visited(jpeg + second, Mime.JPEG)


def test_gif_sub_blocks_are_joined() -> None:
    gif = encoded(animation(), ".gif")
    data = gif_with_extension(gif, gif_extension(0xFE, b"one comment, many blocks", block_size=3))
    assert ("GIF comment extension", b"one comment, many blocks") in visited(data, Mime.GIF)


def test_webp_pixel_chunks_are_not_metadata() -> None:
    webp = encoded(colour_image(), ".webp")
    data = webp_with_chunk(webp, riff_chunk(b"EXIF", b"exif bytes"))
    seen = visited(data, Mime.WEBP)
    assert ("WebP EXIF chunk", b"exif bytes") in seen
    pixel_chunks = {"WebP VP8  chunk", "WebP VP8L chunk", "WebP ALPH chunk"}
    assert not pixel_chunks & {name for name, _ in seen}
    assert logical_end(data, Mime.WEBP) == len(data)
