"""EXIF tags from libvips metadata, as plain JSON-serialisable values.

libvips exposes each tag as a string field such as ``exif-ifd0-Make`` whose value reads
``"Canon (Canon, ASCII, 6 components, 6 bytes)"``: the raw value, then in brackets libexif's
rendering, the EXIF type, the count and the size. This module keeps the raw value, typed.

Rules: keys are bare tag names (``Make``, ``DateTimeOriginal``, ``GPSLatitude``); IFD1, which
describes the embedded thumbnail, is skipped; ``Undefined`` tags (maker notes, user comments,
version blobs) are binary and skipped; single numbers become ``int`` or ``float``; lists of
numbers become libexif's text (``"51, 30, 12.34"``); strings are cut to ``MAX_STRING_LENGTH``.
GPS tags are included: whoever publishes this dict decides whether to drop ``GPS*`` keys.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

ExifValue = str | int | float

MAX_STRING_LENGTH = 256
MAX_TAGS = 256

_FIELD_NAME = re.compile(r"exif-ifd(?P<ifd>[0-9])-(?P<tag>[A-Za-z0-9]+)")
_FIELD_VALUE = re.compile(
    r"(?P<body>.*), (?P<type>[A-Za-z]+), (?P<count>[0-9]+) components?, [0-9]+ bytes?\)",
    re.DOTALL,
)
_INTEGER_TYPES = frozenset({"Byte", "SByte", "Short", "SShort", "Long", "SLong"})
_RATIONAL_TYPES = frozenset({"Rational", "SRational"})
_FLOAT_TYPES = frozenset({"Float", "Double"})
_SKIPPED_IFDS = frozenset({"1"})


def exif_from_fields(fields: Iterable[tuple[str, str]]) -> dict[str, ExifValue]:
    """The EXIF tags among libvips ``(name, value)`` fields, typed, at most ``MAX_TAGS``."""
    exif: dict[str, ExifValue] = {}
    for name, text in fields:
        match = _FIELD_NAME.fullmatch(name)
        if match is None or match["ifd"] in _SKIPPED_IFDS or match["tag"] in exif:
            continue
        value = parse_value(text)
        if value is not None:
            exif[match["tag"]] = value
            if len(exif) >= MAX_TAGS:
                break
    return exif


def parse_value(text: str) -> ExifValue | None:
    """The typed value of one libvips EXIF string, or None for binary or unparseable values."""
    match = _FIELD_VALUE.fullmatch(text)
    if match is None:
        return None
    kind, count = match["type"], int(match["count"])
    raw, rendered = _split_body(match["body"], is_ascii=kind == "ASCII")
    if kind == "ASCII":
        return raw[:MAX_STRING_LENGTH]
    if kind not in _INTEGER_TYPES | _RATIONAL_TYPES | _FLOAT_TYPES:
        return None  # Undefined: opaque bytes
    if count != 1:
        return rendered[:MAX_STRING_LENGTH]
    try:
        if kind in _INTEGER_TYPES:
            return int(raw)
        number = _rational(raw) if kind in _RATIONAL_TYPES else float(raw)
    except (ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _split_body(body: str, *, is_ascii: bool) -> tuple[str, str]:
    """Split ``"raw (rendered"`` in two; for ASCII both halves are the same string."""
    if is_ascii and len(body) % 2 == 0:
        half = (len(body) - 2) // 2
        if body[half : half + 2] == " (" and body[:half] == body[half + 2 :]:
            return body[:half], body[half + 2 :]
    raw, _, rendered = body.partition(" (")
    return raw, rendered


def _rational(raw: str) -> float:
    numerator, _, denominator = raw.partition("/")
    return int(numerator) / int(denominator or "1")
