"""Image files for the imaging tests, generated at run time: pyvips for what it can save, hand-built
bytes for what it cannot (BMP, ICO, HEVC-coded HEIC, JPEG XL) and for deliberately broken files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from imgwired.imaging.vips import pyvips


def colour_image(width: int = 64, height: int = 48, *, alpha: bool = False) -> Any:
    """An sRGB image with a gradient, so encoders have something to encode."""
    vips = pyvips()
    x = vips.Image.xyz(width, height)[0]
    red = (x * 255 / max(1, width - 1)).cast("uchar")
    bands = [red, (red * 0 + 90).cast("uchar"), (255 - red).cast("uchar")]
    if alpha:
        bands.append((red * 0 + 128).cast("uchar"))
    return bands[0].bandjoin(bands[1:]).copy(interpretation="srgb")


def animation(frames: int = 3, size: int = 100) -> Any:
    """A ``frames``-frame animation of ``size`` x ``size`` pixels, as libvips stacks pages."""
    vips = pyvips()
    pages = [colour_image(size, size) + shade for shade in range(0, 60 * frames, 60)]
    strip = vips.Image.arrayjoin([page.cast("uchar") for page in pages], across=1)
    strip = strip.copy(interpretation="srgb")
    strip.set_type(vips.GValue.gint_type, "page-height", size)
    strip.set_type(vips.GValue.array_int_type, "delay", [100] * frames)
    return strip


def save(image: Any, path: Path, **options: Any) -> Path:
    image.write_to_file(str(path), **options)
    return path


def encoded(image: Any, suffix: str, **options: Any) -> bytes:
    return bytes(image.write_to_buffer(suffix, **options))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A valid, tiny PNG whose header declares ``width`` x ``height`` grey pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + png_chunk(b"IEND", b"")
    )


def png_with_chunk(png: bytes, kind: bytes, data: bytes) -> bytes:
    """``png`` with one more chunk right after IHDR, inside the first KiB."""
    after_ihdr = 8 + 25
    return png[:after_ihdr] + png_chunk(kind, data) + png[after_ihdr:]


def png_with_corrupt_pixels(png: bytes) -> bytes:
    """``png`` with every IDAT chunk's data replaced by bytes that are not zlib (CRCs valid)."""
    out, pos = bytearray(png[:8]), 8
    while pos < len(png):
        (length,) = struct.unpack_from(">I", png, pos)
        kind = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        out += png_chunk(kind, b"\xde\xad" * (length // 2 + 1) if kind == b"IDAT" else data)
        pos += 12 + length
    return bytes(out)


def jpeg_with_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """``jpeg`` with an extra segment right after SOI, as EXIF thumbnails are carried."""
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def bmp(width: int = 4, height: int = 3) -> bytes:
    """A 24-bit BMP with a BITMAPINFOHEADER."""
    row = b"\x00\x80\xff" * width
    row += b"\x00" * (-len(row) % 4)
    pixels = row * height
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    header = struct.pack("<2sIHHI", b"BM", 14 + len(info) + len(pixels), 0, 0, 14 + len(info))
    return header + info + pixels


def ico(png: bytes, size: int = 16) -> bytes:
    """An ICO holding one PNG-compressed icon, as modern icon files do."""
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + entry + png


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    payload = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(payload)) + b"ftyp" + payload


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, payload: bytes) -> bytes:
    return _box(kind, bytes([version, 0, 0, 0]) + payload)


def heif(codec: bytes = b"hvc1", brands: tuple[bytes, ...] = (b"heic", b"mif1", b"heic")) -> bytes:
    """A structurally valid one-image HEIF (64x48) whose coded data is zeros.

    Enough for libheif to read the header; decoding needs the codec and then fails on the data.
    """
    if codec == b"hvc1":
        config = _box(
            b"hvcC",
            bytes([1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 90])
            + bytes([0xF0, 0, 0xFC, 0xFD, 0xF8, 0xF8, 0, 0, 0x0F, 0]),
        )
    else:
        config = _box(b"av1C", bytes([0x81, 0x00, 0x0C, 0x00]))
    coded = b"\x00\x00\x00\x10" + bytes(16)
    properties = _box(b"ipco", config + _full_box(b"ispe", 0, struct.pack(">II", 64, 48)))
    associations = _full_box(b"ipma", 0, struct.pack(">IHB", 1, 1, 2) + bytes([0x81, 0x02]))
    item_info = _full_box(
        b"iinf",
        0,
        struct.pack(">H", 1) + _full_box(b"infe", 2, struct.pack(">HH", 1, 0) + codec + b"\0"),
    )
    handler = _full_box(b"hdlr", 0, bytes(4) + b"pict" + bytes(12) + b"\0")
    primary = _full_box(b"pitm", 0, struct.pack(">H", 1))

    def head(data_offset: int) -> bytes:
        location = _full_box(
            b"iloc",
            0,
            bytes([0x44, 0x00]) + struct.pack(">HHHHII", 1, 1, 0, 1, data_offset, len(coded)),
        )
        meta = _full_box(
            b"meta",
            0,
            handler + primary + location + item_info + _box(b"iprp", properties + associations),
        )
        return ftyp(*brands) + meta

    data_offset = len(head(0)) + 8  # the iloc offset points past the mdat header
    return head(data_offset) + _box(b"mdat", coded)


JXL_CODESTREAM = b"\xff\x0a\xfa\x1f\x01\x00\x10\x00" + bytes(56)
"""The start of a JPEG XL codestream: its signature and a size header, nothing decodable."""


def png_with_late_chunk(png: bytes, kind: bytes, data: bytes) -> bytes:
    """``png`` with one more chunk just before IEND, after the pixels and the first KiB."""
    filler = png_chunk(b"tEXt", b"Filler\x00" + b"." * 2048)
    iend = len(png) - 12
    return png[:iend] + filler + png_chunk(kind, data) + png[iend:]


def jpeg_with_late_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """``jpeg`` with a segment after 2 KiB of other metadata, beyond the first KiB."""
    with_segment = jpeg_with_segment(jpeg, marker, payload)
    return jpeg_with_segment(with_segment, 0xE2, b"FILLER\x00" + b"." * 2048)


def gif_extension(label: int, payload: bytes, *, block_size: int = 255) -> bytes:
    """A GIF extension block carrying ``payload`` in sub-blocks of at most ``block_size``."""
    blocks = b"".join(
        bytes([len(piece)]) + piece
        for piece in (payload[i : i + block_size] for i in range(0, len(payload), block_size))
    )
    return bytes([0x21, label]) + blocks + b"\x00"


def gif_with_extension(gif: bytes, extension: bytes) -> bytes:
    """``gif`` with ``extension`` just before its trailer."""
    assert gif.endswith(b";")
    return gif[:-1] + extension + b";"


def riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) & 1)


def webp_with_chunk(webp: bytes, chunk: bytes) -> bytes:
    """``webp`` with ``chunk`` appended inside its RIFF container (its size fixed)."""
    body = webp[12:] + riff_chunk(b"JUNK", b"." * 2048) + chunk
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def webp_with_frame_chunk(webp: bytes, chunk: bytes) -> bytes:
    """An animated ``webp`` with ``chunk`` added inside its first ANMF frame."""
    start = webp.index(b"ANMF")
    (size,) = struct.unpack_from("<I", webp, start + 4)
    frame = webp[start + 8 : start + 8 + size] + riff_chunk(b"JUNK", b"." * 2048) + chunk
    body = webp[12:start] + riff_chunk(b"ANMF", frame) + webp[start + 8 + size + (size & 1) :]
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def bmff_with_box(data: bytes, kind: bytes, payload: bytes) -> bytes:
    """An ISO-BMFF file (AVIF, HEIC) with one more top-level box at its end."""
    return data + _box(b"free", b"." * 2048) + _box(kind, payload)
