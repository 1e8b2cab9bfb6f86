"""Refuse images that double as HTML, script or archives: polyglots a browser or server might run.

Where markup is looked for, and which markup:

* the first KiB of every file: HTML and PHP openers, the bytes old browsers sniffed. ``<?xml`` and
  ``<svg`` are allowed there, because JPEG and PNG may carry an XMP packet near the start;
* every piece of metadata, wherever it sits (see ``structure``): JPEG COM and APPn segments, PNG
  text, profile and private chunks (compressed text inflated), GIF extensions (sub-blocks
  joined), WebP chunks other than pixel data, frames included: the HTML and PHP openers, since
  any tool that shows metadata shows them. XMP is metadata too, so ``<?xml`` passes;
* the whole file for formats whose metadata is not walked (ISO-BMFF: AVIF, HEIC, JPEG XL; TIFF;
  BMP; ICO) and when the end cannot be found: the HTML and PHP openers only, as XMP may sit
  anywhere;
* everything after the image's logical end: all markers, ``<?xml`` and ``<svg`` included, since
  metadata lives inside the image structure, never after it; also a ZIP end-of-central-directory
  record, which makes the file a valid archive read from its end.

Metadata is checked, not stripped: the stored original stays the bytes that were uploaded, so
its declared length and SHA-256 keep holding.

Trailing bytes without markup: over ``TRAILER_ALLOWANCE`` of non-zero bytes is refused for every
format except JPEG, whose trailers are legitimate and common (phone "motion photos" append an MP4,
Samsung appends its own records); stuffing arbitrary files into PNG, GIF, WebP, ICO or BMP is not.
"""

from __future__ import annotations

from collections.abc import Iterator

from imgwired.imaging.errors import ImageRejectedError
from imgwired.imaging.structure import (
    INFLATED_LIMIT,
    METADATA_WALKED,
    Data,
    MetadataTooLargeError,
    StructureTruncatedError,
    logical_end,
)
from imgwired.media_types import SupportedMimeType

HEADER_SCAN_BYTES = 1024
TRAILER_ALLOWANCE = 1024

HTML_MARKERS: tuple[bytes, ...] = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<?php",
)
TRAILER_MARKERS: tuple[bytes, ...] = (*HTML_MARKERS, b"<svg", b"<?xml")

_ZIP_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
_ZIP_SEARCH_WINDOW = 65_535 + 22  # the longest comment plus the record itself
_CHUNK = 1 << 20
_LONGEST_MARKER = max(len(marker) for marker in TRAILER_MARKERS)


def check_polyglot(data: Data, mime_type: SupportedMimeType) -> None:
    """Return if ``data`` carries no markup or archive beside the image; raise otherwise.

    Raises ``ImageRejectedError`` with reason ``polyglot``, or ``truncated`` when the image
    structure stops before the data does (after the whole file has been scanned for markup).
    """
    _refuse_markers(data, 0, min(len(data), HEADER_SCAN_BYTES), HTML_MARKERS, "at its start")
    try:
        end = logical_end(data, mime_type, metadata=_refuse_markup_in_metadata)
    except StructureTruncatedError:
        _refuse_markers(data, 0, len(data), HTML_MARKERS, "inside")
        raise ImageRejectedError(
            "truncated", f"The {mime_type.value} data ends before the image does."
        ) from None
    except MetadataTooLargeError:
        raise ImageRejectedError(
            "polyglot",
            f"The file carries compressed metadata that inflates beyond {INFLATED_LIMIT} bytes: "
            "too large to check.",
        ) from None
    if end is None or mime_type not in METADATA_WALKED:
        _refuse_markers(data, 0, len(data), HTML_MARKERS, "inside")
    if end is None or end == len(data):
        return
    _refuse_markers(data, end, len(data), TRAILER_MARKERS, "after its end")
    if data.find(_ZIP_END_OF_CENTRAL_DIRECTORY, max(end, len(data) - _ZIP_SEARCH_WINDOW)) >= 0:
        raise ImageRejectedError("polyglot", "The file carries a ZIP archive after the image.")
    if mime_type is not SupportedMimeType.JPEG and not _is_padding(data, end, TRAILER_ALLOWANCE):
        raise ImageRejectedError(
            "polyglot",
            f"The file carries {len(data) - end} bytes of unknown data after the image.",
        )


def _refuse_markup_in_metadata(name: str, pieces: Iterator[bytes]) -> None:
    """Raise ``polyglot`` if the metadata ``name`` holds an HTML or PHP opener in any case."""
    carried = b""  # the end of the previous piece, so a marker across two pieces is seen
    for piece in pieces:
        window = carried + piece.lower()
        for marker in HTML_MARKERS:
            if marker in window:
                raise ImageRejectedError(
                    "polyglot",
                    f"The file carries {marker.decode()!r} markup in its {name}: "
                    "it could be read as something other than an image.",
                )
        carried = window[-(_LONGEST_MARKER - 1) :]


def _refuse_markers(
    data: Data, start: int, stop: int, markers: tuple[bytes, ...], where: str
) -> None:
    """Raise ``polyglot`` if any marker occurs, in any letter case, in ``data[start:stop]``."""
    # Overlapping chunks keep memory bounded and still see markers that straddle a boundary.
    for chunk_start in range(start, stop, _CHUNK):
        chunk = data[chunk_start : min(stop, chunk_start + _CHUNK + _LONGEST_MARKER - 1)].lower()
        for marker in markers:
            if marker in chunk:
                raise ImageRejectedError(
                    "polyglot",
                    f"The file carries {marker.decode()!r} markup {where}: "
                    "it could be read as something other than an image.",
                )


def _is_padding(data: Data, start: int, allowance: int) -> bool:
    """Whether ``data[start:]`` is short or only zero bytes (as some writers pad files)."""
    if len(data) - start <= allowance:
        return True
    return all(
        not data[pos : pos + _CHUNK].strip(b"\x00") for pos in range(start, len(data), _CHUNK)
    )
