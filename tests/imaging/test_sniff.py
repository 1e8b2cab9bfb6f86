from __future__ import annotations

import struct

import pytest

from imgwired.imaging.sniff import SNIFF_BYTES, sniff
from imgwired.media_types import SupportedMimeType as Mime
from tests.imaging.samples import JXL_CODESTREAM, bmp, ftyp, ico, png_bomb

PNG = png_bomb(16, 16)
WEBP_HEAD = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", Mime.JPEG, id="jpeg-jfif"),
        pytest.param(b"\xff\xd8\xff\xe1\x00\x10Exif\x00", Mime.JPEG, id="jpeg-exif"),
        pytest.param(PNG, Mime.PNG, id="png"),
        pytest.param(b"GIF87a\x01\x00\x01\x00", Mime.GIF, id="gif87a"),
        pytest.param(b"GIF89a\x01\x00\x01\x00", Mime.GIF, id="gif89a"),
        pytest.param(WEBP_HEAD, Mime.WEBP, id="webp-lossy"),
        pytest.param(WEBP_HEAD.replace(b"VP8 ", b"VP8L"), Mime.WEBP, id="webp-lossless"),
        pytest.param(WEBP_HEAD.replace(b"VP8 ", b"VP8X"), Mime.WEBP, id="webp-extended"),
        pytest.param(b"II*\x00\x08\x00\x00\x00", Mime.TIFF, id="tiff-little-endian"),
        pytest.param(b"MM\x00*\x00\x00\x00\x08", Mime.TIFF, id="tiff-big-endian"),
        pytest.param(b"II+\x00\x08\x00\x00\x00", Mime.TIFF, id="bigtiff"),
        pytest.param(bmp(), Mime.BMP, id="bmp"),
        pytest.param(ico(PNG), Mime.ICO, id="ico"),
        pytest.param(JXL_CODESTREAM, Mime.JXL, id="jxl-codestream"),
        pytest.param(b"\x00\x00\x00\x0cJXL \r\n\x87\n" + bytes(20), Mime.JXL, id="jxl-container"),
        pytest.param(ftyp(b"avif", b"mif1", b"avif"), Mime.AVIF, id="avif"),
        pytest.param(ftyp(b"avis", b"msf1", b"avis"), Mime.AVIF, id="avif-sequence"),
        pytest.param(ftyp(b"mif1", b"mif1", b"avif"), Mime.AVIF, id="avif-via-mif1"),
        pytest.param(ftyp(b"heic", b"mif1", b"heic"), Mime.HEIC, id="heic"),
        pytest.param(ftyp(b"heix", b"mif1", b"heix"), Mime.HEIC, id="heix"),
        pytest.param(ftyp(b"hevc", b"msf1", b"hevc"), Mime.HEIC, id="heic-sequence"),
        pytest.param(ftyp(b"mif1", b"mif1", b"heic"), Mime.HEIC, id="heic-via-mif1"),
        pytest.param(ftyp(b"msf1", b"msf1", b"hevc"), Mime.HEIC, id="heic-via-msf1"),
    ],
)
def test_recognises_each_signature(head: bytes, expected: Mime) -> None:
    assert sniff(head[:SNIFF_BYTES]) is expected


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xd8", id="jpeg-soi-only"),
        pytest.param(b"\x89PNG\r\n", id="png-cut-signature"),
        pytest.param(b"GIF90a", id="gif-unknown-version"),
        pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt ", id="riff-wave"),
        pytest.param(b"RIFF\x24\x00\x00\x00WEBPJUNK", id="riff-webp-without-vp8"),
        pytest.param(b"BM" + bytes(30), id="bm-without-dib-header"),
        pytest.param(b"BMP is a format\n" + bytes(20), id="text-starting-bm"),
        pytest.param(b"\x00\x00\x01\x00\x00\x00" + bytes(20), id="ico-zero-images"),
        pytest.param(b"\x00\x00\x02\x00\x01\x00" + bytes(20), id="cursor"),
        pytest.param(ftyp(b"mif1", b"mif1", b"miaf"), id="heif-of-unknown-codec"),
        pytest.param(ftyp(b"mif1", b"mif1", b"avif", b"heic"), id="heif-naming-both-codecs"),
        pytest.param(ftyp(b"isom", b"isom", b"mp41"), id="mp4"),
        pytest.param(ftyp(b"qt  ", b"qt  "), id="quicktime"),
        pytest.param(ftyp(b"jp2 ", b"jp2 "), id="jpeg-2000"),
        pytest.param(struct.pack(">I", 3) + b"ftypavif", id="ftyp-with-bad-size"),
        pytest.param(b"<!DOCTYPE html><html><body>hi</body></html>", id="html"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"/>', id="svg"),
        pytest.param(b"%PDF-1.7\n", id="pdf"),
        pytest.param(b"PK\x03\x04\x14\x00", id="zip"),
        pytest.param(b"Just some text.", id="text"),
    ],
)
def test_refuses_everything_else(head: bytes) -> None:
    assert sniff(head) is None


def test_major_brand_outranks_compatible_brands() -> None:
    assert sniff(ftyp(b"avif", b"mif1", b"heic")) is Mime.AVIF
    assert sniff(ftyp(b"heic", b"mif1", b"avif")) is Mime.HEIC


def test_reads_only_the_first_bytes() -> None:
    assert sniff(PNG[:SNIFF_BYTES] + b"<html>") is Mime.PNG
