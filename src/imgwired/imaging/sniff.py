"""Which supported image format a file is, judged from its first bytes alone.

The client's claimed content type and file name are never consulted: only magic numbers. Each
check is cheap and reads at most ``SNIFF_BYTES`` bytes, so callers can pass the head of a file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from imgwired.media_types import SupportedMimeType

SNIFF_BYTES = 64
"""How many leading bytes ``sniff`` needs to decide."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JXL_CONTAINER = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
# BITMAPCOREHEADER, BITMAPINFOHEADER, the two Adobe variants, OS/2 v2, V4 and V5.
_BMP_DIB_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_ICO_BIT_COUNTS = frozenset({0, 1, 4, 8, 16, 24, 32})
_ICO_MAX_IMAGES = 256

# ISO-BMFF brands (ISO/IEC 23008-12 and the AV1 image file format).
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
# Generic HEIF brands say "some HEIF codec": the compatible brands must name which one.
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2", b"miaf"})


def sniff(head: bytes) -> SupportedMimeType | None:
    """The supported type whose signature ``head`` starts with, or None if it matches none."""
    for check in _CHECKS:
        mime_type = check(head)
        if mime_type is not None:
            return mime_type
    return None


def _jpeg(head: bytes) -> SupportedMimeType | None:
    return SupportedMimeType.JPEG if head.startswith(b"\xff\xd8\xff") else None


def _png(head: bytes) -> SupportedMimeType | None:
    return SupportedMimeType.PNG if head.startswith(_PNG_SIGNATURE) else None


def _gif(head: bytes) -> SupportedMimeType | None:
    return SupportedMimeType.GIF if head[:6] in (b"GIF87a", b"GIF89a") else None


def _webp(head: bytes) -> SupportedMimeType | None:
    # RIFF containers hold WAV and AVI too: require the WEBP form type and a VP8 chunk.
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
        return SupportedMimeType.WEBP
    return None


def _tiff(head: bytes) -> SupportedMimeType | None:
    # Classic TIFF (42) and BigTIFF (43), which libtiff reads alike.
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return SupportedMimeType.TIFF
    return None


def _jxl(head: bytes) -> SupportedMimeType | None:
    if head.startswith(b"\xff\x0a") or head.startswith(_JXL_CONTAINER):
        return SupportedMimeType.JXL
    return None


def _bmp(head: bytes) -> SupportedMimeType | None:
    # "BM" alone is two ASCII letters: also demand a known DIB header size and one plane.
    if len(head) < 28 or head[:2] != b"BM":
        return None
    (dib_size,) = struct.unpack_from("<I", head, 14)
    if dib_size not in _BMP_DIB_HEADER_SIZES:
        return None
    planes_offset = 22 if dib_size == 12 else 26
    (planes,) = struct.unpack_from("<H", head, planes_offset)
    return SupportedMimeType.BMP if planes == 1 else None


def _ico(head: bytes) -> SupportedMimeType | None:
    # Four bytes of mostly zeros are weak: check the count and the first directory entry too.
    if len(head) < 22 or head[:4] != b"\x00\x00\x01\x00":
        return None
    (count,) = struct.unpack_from("<H", head, 4)
    reserved = head[9]
    planes, bit_count = struct.unpack_from("<HH", head, 10)
    (size,) = struct.unpack_from("<I", head, 14)
    plausible = (
        0 < count <= _ICO_MAX_IMAGES
        and reserved == 0
        and planes in (0, 1)
        and bit_count in _ICO_BIT_COUNTS
        and size > 0
    )
    return SupportedMimeType.ICO if plausible else None


def _heif(head: bytes) -> SupportedMimeType | None:
    """AVIF or HEIC from the ``ftyp`` box that opens every ISO-BMFF file."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    (size,) = struct.unpack_from(">I", head, 0)
    if size < 16 or size % 4:
        return None
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major in _AVIF_BRANDS:
        return SupportedMimeType.AVIF
    if major in _HEIC_BRANDS:
        return SupportedMimeType.HEIC
    if major not in _GENERIC_HEIF_BRANDS:
        return None  # MP4, QuickTime, JPEG 2000 and other ISO-BMFF files.
    is_avif = bool(compatible & _AVIF_BRANDS)
    is_heic = bool(compatible & _HEIC_BRANDS)
    # A generic major brand naming both codecs (or neither) is ambiguous: refuse to guess.
    if is_avif == is_heic:
        return None
    return SupportedMimeType.AVIF if is_avif else SupportedMimeType.HEIC


_CHECKS: tuple[Callable[[bytes], SupportedMimeType | None], ...] = (
    _jpeg,
    _png,
    _gif,
    _webp,
    _heif,
    _jxl,
    _tiff,
    _bmp,
    _ico,
)
