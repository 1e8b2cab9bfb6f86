"""Readers of the seven watermark parameters, and the rule that ties them together.

Three parameters name the watermark's source (``watermark``, ``watermark_url``,
``watermark_text``); at most one may be given. The other four shape it (position, size,
rotation, shadow); without a source they ask for nothing and are dropped, so the URL means
the same as without them. As elsewhere, ``{`` starts a JSON object with the positional fields.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import MutableMapping
from typing import Any, Final

from imgwired.errors import InvalidTransformationError
from imgwired.ingest.errors import InvalidFetchUrlError
from imgwired.ingest.urls import parse_fetch_url
from imgwired.transform.effect_readers import BLEND_MODES
from imgwired.transform.scalars import (
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    BadValue,
    choice,
    color,
    gravity,
    hex_color,
    json_field,
    json_names,
    number,
    object_fields,
    optional,
)
from imgwired.transform.values import BlendMode, Gravity, Rgba
from imgwired.transform.watermark_values import (
    DEFAULT_FONT,
    DEFAULT_SHADOW_BLUR,
    DEFAULT_SHADOW_COLOR,
    DEFAULT_SHADOW_OFFSET,
    DEFAULT_TEXT_COLOR,
    DEFAULT_TEXT_SIZE,
    MAX_OFFSET,
    MAX_SHADOW_BLUR,
    MAX_SHADOW_OFFSET,
    MAX_SIZE,
    MAX_TEXT_SIZE,
    MIN_TEXT_SIZE,
    WatermarkImage,
    WatermarkPosition,
    WatermarkShadow,
    WatermarkSize,
    WatermarkText,
)

SOURCES: Final = ("watermark", "watermark_url", "watermark_text")
"""The parameters that say what the watermark is; one at most."""
MODIFIERS: Final = ("watermark_position", "watermark_rotate", "watermark_shadow", "watermark_size")
"""The parameters that shape a watermark; nothing without a source."""

_IMAGE_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_BASE64 = re.compile(r"[A-Za-z0-9_\-+/]+={0,2}")
_FONT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,63}")
# Pango lays out tabs and line breaks; every other control character is refused.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Plain decimals are at most 12 digits each side of the point (scalars.number).
_ANY = 1e13


def settle(values: MutableMapping[str, Any]) -> None:
    """Refuse two sources at once; drop the shaping parameters when there is no source."""
    given = [name for name in SOURCES if values.get(name) is not None]
    if len(given) > 1:
        raise InvalidTransformationError(
            f"{' and '.join(given)} both name a watermark: give one of watermark, "
            "watermark_url and watermark_text"
        )
    if not given:
        for name in MODIFIERS:
            values.pop(name, None)


def watermark(text: str) -> WatermarkImage:
    fields = object_fields(
        text, json_names("image_id", "gravity", "x", "y", imageId="image_id", g="gravity")
    )
    if fields is not None:
        if "image_id" not in fields:
            raise BadValue("needs an image_id")
        return WatermarkImage(
            json_field(fields, "image_id", _image_id),
            json_field(fields, "gravity", _gravity),
            json_field(fields, "x", _offset),
            json_field(fields, "y", _offset),
        )
    parts = text.split(":")
    if len(parts) > 4:
        raise BadValue("has more than image_id:gravity:x:y")
    padded = [*parts, "", "", ""]
    return WatermarkImage(
        _image_id(parts[0]),
        optional(padded[1], _gravity),
        optional(padded[2], _offset),
        optional(padded[3], _offset),
    )


def watermark_position(text: str) -> WatermarkPosition | None:
    fields = object_fields(text, json_names("gravity", "x", "y", "opacity", "blend", g="gravity"))
    if fields is not None:
        values = [json_field(fields, name, reader) for name, reader in _POSITION_FIELDS]
    else:
        parts = text.split(":")
        if len(parts) > len(_POSITION_FIELDS):
            raise BadValue("has more than gravity:x:y:opacity:blend")
        padded = [*parts, *[""] * (len(_POSITION_FIELDS) - len(parts))]
        values = [
            optional(part, reader)
            for part, (_, reader) in zip(padded, _POSITION_FIELDS, strict=True)
        ]
    gravity_value, x, y, opacity, blend = values
    position = WatermarkPosition(
        gravity_value, x, y, 1.0 if opacity is None else opacity, blend or BlendMode.OVER
    )
    return None if position == WatermarkPosition() else position


def watermark_size(text: str) -> WatermarkSize | None:
    fields = object_fields(text, json_names("width", "height", "scale", w="width", h="height"))
    if fields is not None:
        width = json_field(fields, "width", _size)
        height = json_field(fields, "height", _size)
        scale = json_field(fields, "scale", _scale)
    else:
        parts = text.split(":")
        if len(parts) > 3:
            raise BadValue("has more than width:height:scale")
        padded = [*parts, "", ""]
        width, height, scale = (
            optional(padded[0], _size),
            optional(padded[1], _size),
            optional(padded[2], _scale),
        )
    size = WatermarkSize(width or 0.0, height or 0.0, scale or 0.0)
    return None if size == WatermarkSize() else size


def watermark_shadow(text: str) -> WatermarkShadow | None:
    lowered = text.lower()
    if lowered in BOOLEAN_TRUE:
        return WatermarkShadow()
    if lowered in BOOLEAN_FALSE:
        return None
    fields = object_fields(
        text, json_names("color", "blur", "x", "y", colour="color", sigma="blur")
    )
    if fields is not None:
        shade = json_field(fields, "color", color)
        blur = json_field(fields, "blur", _blur)
        x, y = json_field(fields, "x", _shadow_offset), json_field(fields, "y", _shadow_offset)
    else:
        parts = text.split(":")
        if len(parts) > 4:
            raise BadValue("has more than color:blur:x:y")
        padded = [*parts, "", "", ""]
        shade = optional(padded[0], hex_color)
        blur = optional(padded[1], _blur)
        x, y = optional(padded[2], _shadow_offset), optional(padded[3], _shadow_offset)
    return WatermarkShadow(
        shade or DEFAULT_SHADOW_COLOR,
        DEFAULT_SHADOW_BLUR if blur is None else blur,
        DEFAULT_SHADOW_OFFSET if x is None else x,
        DEFAULT_SHADOW_OFFSET if y is None else y,
    )


def watermark_text(text: str) -> WatermarkText:
    fields = object_fields(
        text,
        json_names(
            "text", "font", "size", "color", colour="color", fontSize="size", font_size="size"
        ),
    )
    if fields is None:
        return WatermarkText(_text(text))
    written = fields.get("text")
    if not isinstance(written, str):
        raise BadValue("needs a text string")
    font: str | None = json_field(fields, "font", _font)
    size: float | None = json_field(fields, "size", _text_size)
    shade: Rgba | None = json_field(fields, "color", color)
    return WatermarkText(
        _text(written),
        font or DEFAULT_FONT,
        DEFAULT_TEXT_SIZE if size is None else size,
        shade or DEFAULT_TEXT_COLOR,
    )


def watermark_url(text: str) -> str:
    """The URL, decoded from URL-safe (or standard) base64 with or without padding, as the
    fetcher will request it (host in punycode, path percent-encoded)."""
    if not _BASE64.fullmatch(text):
        raise BadValue("not base64")
    raw = text.rstrip("=").replace("+", "-").replace("/", "_")
    if len(raw) % 4 == 1:
        raise BadValue("not base64 (its length is impossible)")
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise BadValue("does not decode to a URL") from None
    try:
        return parse_fetch_url(decoded).url
    except InvalidFetchUrlError as error:
        raise BadValue(f"decodes to a URL that cannot be used: {error.detail}") from None


def _image_id(text: str) -> str:
    if not _IMAGE_ID.fullmatch(text):
        raise BadValue("not an image id")
    return text.lower()


def _gravity(text: str) -> Gravity:
    found = gravity(text)
    if found.is_smart:
        raise BadValue("a watermark is placed at a compass gravity, not attention or entropy")
    return found


def _clamped(text: str, low: float, high: float) -> float:
    """Any plain decimal, clamped into ``low..high``."""
    return min(max(number(text, -_ANY, _ANY), low), high)


def _offset(text: str) -> float:
    return _clamped(text, -MAX_OFFSET, MAX_OFFSET)


def _size(text: str) -> float:
    return _clamped(text, 0.0, MAX_SIZE)


def _scale(text: str) -> float:
    return _clamped(text, 0.0, 1.0)


def _opacity(text: str) -> float:
    return _clamped(text, 0.0, 1.0)


def _blend(text: str) -> BlendMode:
    return choice(text, BLEND_MODES)


def _blur(text: str) -> float:
    return _clamped(text, 0.0, MAX_SHADOW_BLUR)


def _shadow_offset(text: str) -> float:
    return _clamped(text, -MAX_SHADOW_OFFSET, MAX_SHADOW_OFFSET)


def _text_size(text: str) -> float:
    return _clamped(text, MIN_TEXT_SIZE, MAX_TEXT_SIZE)


def _font(text: str) -> str:
    name = " ".join(text.split())
    if not _FONT.fullmatch(name):
        raise BadValue("not a font family name (letters, digits, spaces, - and _)")
    return name


def _text(text: str) -> str:
    if not text.strip():
        raise BadValue("needs some text")
    if _CONTROL.search(text):
        raise BadValue("has control characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadValue("is not valid Unicode") from None
    return text


_POSITION_FIELDS: Final = (
    ("gravity", _gravity),
    ("x", _offset),
    ("y", _offset),
    ("opacity", _opacity),
    ("blend", _blend),
)
