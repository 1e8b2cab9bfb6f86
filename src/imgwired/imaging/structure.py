"""Where an image's own structure ends, and what metadata it carries on the way there.

Bytes after the logical end are not part of the image: they are where polyglot payloads hide.
Metadata (JPEG COM and APPn segments, PNG ancillary chunks, GIF extensions, WebP chunks) is the
other hiding place inside the structure; the same walk hands each piece of it to a visitor, as a
reader of that metadata would see it (GIF sub-blocks joined, compressed PNG text inflated). The
walkers read only headers and markers, so they cost little even on large files.
"""

from __future__ import annotations

import mmap
import struct
import zlib
from collections.abc import Callable, Iterator

from imgwired.media_types import SupportedMimeType

Data = bytes | mmap.mmap

MetadataVisitor = Callable[[str, Iterator[bytes]], None]
"""Called with a name for a piece of metadata ("PNG zTXt chunk") and its bytes, in pieces."""

METADATA_WALKED = frozenset(
    {
        SupportedMimeType.JPEG,
        SupportedMimeType.PNG,
        SupportedMimeType.GIF,
        SupportedMimeType.WEBP,
    }
)
"""The formats whose metadata ``logical_end`` hands to a visitor; others keep it out of reach."""

INFLATED_LIMIT = 8 << 20
"""The most one compressed PNG chunk may inflate to: libpng's own default limit for a chunk."""

_PIECE = 1 << 20


class StructureTruncatedError(Exception):
    """The image's structure runs past the end of the data."""


class MetadataTooLargeError(Exception):
    """A compressed piece of metadata inflates beyond ``INFLATED_LIMIT``."""


def logical_end(
    data: Data, mime_type: SupportedMimeType, *, metadata: MetadataVisitor | None = None
) -> int | None:
    """The offset just past the image's last byte, or None if it cannot be found cheaply.

    None covers formats without an end marker (TIFF, a bare JPEG XL codestream) and structures
    too malformed to walk; ``StructureTruncatedError`` means the data stops mid-structure.
    For the formats in ``METADATA_WALKED``, ``metadata`` is called for each piece of metadata
    passed on the way, before the end is known.
    """
    visit = metadata or _ignore
    match mime_type:
        case SupportedMimeType.PNG:
            return _png_end(data, visit)
        case SupportedMimeType.JPEG:
            return _jpeg_end(data, visit)
        case SupportedMimeType.GIF:
            return _gif_end(data, visit)
        case SupportedMimeType.WEBP:
            return _webp_end(data, visit)
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


def _ignore(name: str, pieces: Iterator[bytes]) -> None:
    """The visitor when nobody asked: the pieces are generators, so nothing is read."""


def _need(data: Data, end: int) -> None:
    if end > len(data):
        raise StructureTruncatedError


def _uint(data: Data, layout: str, pos: int) -> int:
    """One unsigned integer of ``struct`` layout ``layout`` (e.g. ``">I"``) at ``pos``."""
    (value,) = struct.unpack_from(layout, data, pos)
    return int(value)


def _pieces(data: Data, start: int, stop: int) -> Iterator[bytes]:
    """``data[start:stop]`` in pieces of at most 1 MiB, so a large span is never copied whole."""
    for pos in range(start, stop, _PIECE):
        yield data[pos : min(stop, pos + _PIECE)]


def _inflated(data: Data, start: int, stop: int) -> Iterator[bytes]:
    """The zlib stream in ``data[start:stop]``, inflated piece by piece, up to the limit.

    A stream that is not valid zlib ends quietly where it breaks: no reader sees more of it.
    """
    inflater = zlib.decompressobj()
    total = 0
    try:
        for compressed in _pieces(data, start, stop):
            while compressed and not inflater.eof:
                piece = inflater.decompress(compressed, _PIECE)
                total += len(piece)
                if total > INFLATED_LIMIT:
                    raise MetadataTooLargeError
                yield piece
                compressed = inflater.unconsumed_tail
    except zlib.error:
        return


# -- PNG ----------------------------------------------------------------------------------------

# Pixels, palette and frame control: every other chunk is metadata, private chunks included.
_PNG_IMAGE_CHUNKS = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"fdAT", b"fcTL"})


def _png_end(data: Data, visit: MetadataVisitor) -> int:
    pos = 8
    while True:
        _need(data, pos + 8)
        length = _uint(data, ">I", pos)
        kind = bytes(data[pos + 4 : pos + 8])
        end = pos + 12 + length  # length, type, data, CRC
        _need(data, end)
        if kind == b"IEND":
            return end
        if kind not in _PNG_IMAGE_CHUNKS:
            name = f"PNG {kind.decode('ascii', 'replace')} chunk"
            visit(name, _png_chunk_text(data, kind, pos + 8, pos + 8 + length))
        pos = end


def _png_chunk_text(data: Data, kind: bytes, start: int, stop: int) -> Iterator[bytes]:
    """A chunk's bytes as stored, then, for the compressed kinds, its text inflated."""
    yield from _pieces(data, start, stop)
    keyword_end = data.find(b"\x00", start, min(stop, start + 80))  # keywords are 1-79 bytes
    if keyword_end < 0:
        return
    if kind in (b"zTXt", b"iCCP"):  # keyword, NUL, method, stream
        yield from _inflated(data, keyword_end + 2, stop)
    elif kind == b"iTXt" and keyword_end + 1 < stop and data[keyword_end + 1] == 1:
        # keyword, NUL, compressed flag, method, language, NUL, translated keyword, NUL, text
        language_end = data.find(b"\x00", keyword_end + 3, stop)
        translated_end = data.find(b"\x00", language_end + 1, stop) if language_end >= 0 else -1
        if translated_end >= 0:
            yield from _inflated(data, translated_end + 1, stop)


# -- JPEG ---------------------------------------------------------------------------------------

_JPEG_METADATA = {0xFE: "COM", **{0xE0 + n: f"APP{n}" for n in range(16)}}


def _jpeg_end(data: Data, visit: MetadataVisitor) -> int | None:
    # MPF and Ultra HDR files store further JPEG streams right after the first: they are image.
    end = _jpeg_stream_end(data, 0, visit)
    while end is not None and data[end : end + 3] == b"\xff\xd8\xff":
        end = _jpeg_stream_end(data, end, visit)
    return end


def _jpeg_stream_end(data: Data, start: int, visit: MetadataVisitor) -> int | None:
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
        segment_end = pos + 2 + length
        _need(data, segment_end)
        if name := _JPEG_METADATA.get(marker):
            visit(f"JPEG {name} segment", _pieces(data, pos + 4, segment_end))
        pos = segment_end
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


# -- GIF ----------------------------------------------------------------------------------------

_GIF_EXTENSIONS = {
    0x01: "plain text",
    0xF9: "graphic control",
    0xFE: "comment",
    0xFF: "application",
}


def _gif_end(data: Data, visit: MetadataVisitor) -> int | None:
    _need(data, 13)
    pos = 13 + _colour_table_size(data[10])
    while True:
        _need(data, pos + 1)
        block = data[pos]
        if block == 0x3B:  # trailer
            return pos + 1
        if block == 0x21:  # extension: label, then sub-blocks
            _need(data, pos + 2)
            label, first = data[pos + 1], pos + 2
            pos = _skip_sub_blocks(data, first)
            kind = _GIF_EXTENSIONS.get(label, f"0x{label:02X}")
            visit(f"GIF {kind} extension", _sub_blocks(data, first))
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


def _sub_blocks(data: Data, pos: int) -> Iterator[bytes]:
    """The payloads of the sub-blocks from ``pos`` (already known to be whole), in order."""
    while size := data[pos]:
        yield data[pos + 1 : pos + 1 + size]
        pos += 1 + size


# -- WebP ---------------------------------------------------------------------------------------

_WEBP_IMAGE_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"ALPH"})


def _webp_end(data: Data, visit: MetadataVisitor) -> int:
    size = _uint(data, "<I", 4)
    end = 8 + size + (size & 1)  # RIFF chunks are padded to an even length
    _need(data, end)
    _webp_chunks(data, 12, 8 + size, visit)
    return end


def _webp_chunks(data: Data, pos: int, stop: int, visit: MetadataVisitor) -> None:
    """Visit every chunk in ``data[pos:stop]`` but pixel data, and the chunks inside frames.

    Bytes that do not walk as chunks are visited whole: what cannot be told apart from
    metadata is treated as metadata.
    """
    while pos < stop:
        kind = bytes(data[pos : pos + 4])
        size = _uint(data, "<I", pos + 4) if pos + 8 <= stop else stop
        body = pos + 8
        if body + size > stop:
            visit("WebP data that is not a chunk", _pieces(data, pos, stop))
            return
        if kind == b"ANMF":  # frame header, then the frame's own chunks
            _webp_chunks(data, body + 16, body + size, visit)
        elif kind not in _WEBP_IMAGE_CHUNKS:
            visit(f"WebP {kind.decode('ascii', 'replace')} chunk", _pieces(data, body, body + size))
        pos = body + size + (size & 1)


# -- ISO-BMFF, BMP, ICO -------------------------------------------------------------------------


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
