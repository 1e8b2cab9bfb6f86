"""Where an image's own structure ends, found by walking chunks, segments, blocks or boxes.

Bytes after that logical end are not part of the image: they are where polyglot payloads hide.
The walkers read only headers and markers, so they cost little even on large files.
"""

from __future__ import annotations

import mmap
import struct

from imgwired.media_types import SupportedMimeType

Data = bytes | mmap.mmap


class StructureTruncatedError(Exception):
    """The image's structure runs past the end of the data."""


def logical_end(data: Data, mime_type: SupportedMimeType) -> int | None:
    """The offset just past the image's last byte, or None if it cannot be found cheaply.

    None covers formats without an end marker (TIFF, a bare JPEG XL codestream) and structures
    too malformed to walk; ``StructureTruncatedError`` means the data stops mid-structure.
    """
    match mime_type:
        case SupportedMimeType.PNG:
            return _png_end(data)
        case SupportedMimeType.JPEG:
            return _jpeg_end(data)
        case SupportedMimeType.GIF:
            return _gif_end(data)
        case SupportedMimeType.WEBP:
            return _webp_end(data)
        case SupportedMimeType.AVIF | SupportedMimeType.HEIC:
            return _bmff_end(data)
        case SupportedMimeType.JXL:
            return _bmff_end(data) if data[:4] == b"\x00\x00\x00\x0c" else None
        case SupportedMimeType.BMP:
            return _bmp_end(data)
        case SupportedMimeType.ICO:
            return _ico_end(data)
        case _:
            return None


def _need(data: Data, end: int) -> None:
    if end > len(data):
        raise StructureTruncatedError


def _uint(data: Data, layout: str, pos: int) -> int:
    """One unsigned integer of ``struct`` layout ``layout`` (e.g. ``">I"``) at ``pos``."""
    (value,) = struct.unpack_from(layout, data, pos)
    return int(value)


def _png_end(data: Data) -> int:
    pos = 8
    while True:
        _need(data, pos + 8)
        end = pos + 12 + _uint(data, ">I", pos)  # length, type, data, CRC
        _need(data, end)
        if data[pos + 4 : pos + 8] == b"IEND":
            return end
        pos = end


def _jpeg_end(data: Data) -> int | None:
    # MPF and Ultra HDR files store further JPEG streams right after the first: they are image.
    end = _jpeg_stream_end(data, 0)
    while end is not None and data[end : end + 3] == b"\xff\xd8\xff":
        end = _jpeg_stream_end(data, end)
    return end


def _jpeg_stream_end(data: Data, start: int) -> int | None:
    # Walk segments by their lengths rather than searching for the last FFD9: embedded
    # thumbnails carry their own EOI, and an attacker can append one after a payload.
    pos = start + 2
    while True:
        _need(data, pos + 2)
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        _need(data, pos + 4)
        length = _uint(data, ">H", pos + 2)
        if length < 2:
            return None
        pos += 2 + length
        _need(data, pos)
        if marker == 0xDA:
            pos = _entropy_coded_end(data, pos)


def _entropy_coded_end(data: Data, pos: int) -> int:
    """The offset of the first real marker after a scan's entropy-coded data."""
    while True:
        ff = data.find(b"\xff", pos)
        if ff < 0 or ff + 1 >= len(data):
            raise StructureTruncatedError
        following = data[ff + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte or restart marker
            pos = ff + 2
        elif following == 0xFF:
            pos = ff + 1
        else:
            return ff


def _gif_end(data: Data) -> int | None:
    _need(data, 13)
    pos = 13 + _colour_table_size(data[10])
    while True:
        _need(data, pos + 1)
        block = data[pos]
        if block == 0x3B:  # trailer
            return pos + 1
        if block == 0x21:  # extension: label, then sub-blocks
            pos = _skip_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image descriptor, local colour table, LZW code size, sub-blocks
            _need(data, pos + 10)
            pos += 10 + _colour_table_size(data[pos + 9])
            pos = _skip_sub_blocks(data, pos + 1)
        else:
            return None


def _colour_table_size(flags: int) -> int:
    return 3 * (2 ** ((flags & 0x07) + 1)) if flags & 0x80 else 0


def _skip_sub_blocks(data: Data, pos: int) -> int:
    while True:
        _need(data, pos + 1)
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def _webp_end(data: Data) -> int:
    size = _uint(data, "<I", 4)
    end = 8 + size + (size & 1)  # RIFF chunks are padded to an even length
    _need(data, end)
    return end


def _bmff_end(data: Data) -> int | None:
    # ISO-BMFF is a run of top-level boxes to the end of the file: nothing can trail it,
    # and appended bytes read as a box whose size overruns the file.
    pos = 0
    while pos < len(data):
        _need(data, pos + 8)
        size = _uint(data, ">I", pos)
        header = 8
        if size == 1:  # 64-bit size follows the type
            _need(data, pos + 16)
            size = _uint(data, ">Q", pos + 8)
            header = 16
        elif size == 0:  # the box extends to the end of the file
            return len(data)
        if size < header:
            return None
        pos += size
        _need(data, pos)
    return pos


def _bmp_end(data: Data) -> int | None:
    # Writers are careless with bfSize: trust it only when it fits the file.
    size = _uint(data, "<I", 2)
    return size if 14 <= size <= len(data) else None


def _ico_end(data: Data) -> int:
    count = _uint(data, "<H", 4)
    end = 6 + 16 * count
    _need(data, end)
    for entry in range(count):
        size = _uint(data, "<I", 6 + 16 * entry + 8)
        offset = _uint(data, "<I", 6 + 16 * entry + 12)
        end = max(end, offset + size)
    _need(data, end)
    return end
