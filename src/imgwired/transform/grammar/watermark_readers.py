"""Readers of the seven watermark parameters, and the rules that tie them together.

Three parameters name the watermark's source (``watermark``, ``watermark_text``,
``watermark_url``); when several are given, the first of them in that order is used and the
others are dropped, as the official Node builder does before it writes a URL. The other four
shape it (position, size, rotation, shadow); without a source they ask for nothing and are
dropped, so the URL means the same as without them. A position (or, for a text, a size) given
inside the source's value is folded into ``watermark_position`` (``watermark_size``), which win
field by field. As elsewhere, ``{`` starts a JSON object with the positional fields.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

from imgwired.ingest.errors import InvalidFetchUrlError
from imgwired.ingest.urls import parse_fetch_url
from imgwired.transform.grammar.effect_readers import BLEND_MODES
from imgwired.transform.grammar.geometry_readers import starts_numeric
from imgwired.transform.grammar.scalars import (
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    BadValue,
    choice,
    from_json,
    gravity,
    hex_color,
    json_color_field,
    json_field,
    json_fields,
    json_names,
    number,
    object_fields,
    optional,
)
from imgwired.transform.grammar.values import BlendMode, Gravity, Rgba
from imgwired.transform.grammar.watermark_values import (
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
    TextAlign,
    WatermarkImage,
    WatermarkPosition,
    WatermarkShadow,
    WatermarkSize,
    WatermarkText,
    merged,
    merged_size,
)

SOURCES: Final = ("watermark", "watermark_text", "watermark_url")
"""The parameters that say what the watermark is; the first given is used."""
MODIFIERS: Final = ("watermark_position", "watermark_rotate", "watermark_shadow", "watermark_size")
"""The parameters that shape a watermark; nothing without a source."""

_IMAGE_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_BASE64 = re.compile(r"[A-Za-z0-9_\-+/]+={0,2}")
_FONT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,63}")
# Pango lays out tabs and line breaks; every other control character is refused.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Plain decimals are at most 12 digits each side of the point (scalars.number).
_ANY = 1e13


@dataclass(frozen=True, slots=True)
class WithPlacement:
    """A source as its reader returns it: the value, and the position (and size) given with it,
    which ``settle`` folds into ``watermark_position`` (and ``watermark_size``)."""

    source: WatermarkImage | WatermarkText
    position: WatermarkPosition | None = None
    size: WatermarkSize | None = None


def settle(values: MutableMapping[str, Any]) -> None:
    """Keep the first source given (dropping the shaping parameters when there is none) and
    fold the position and size given with it into ``watermark_position`` and
    ``watermark_size``."""
    given = [name for name in SOURCES if values.get(name) is not None]
    for name in given[1:]:
        del values[name]
    if not given:
        for name in MODIFIERS:
            values.pop(name, None)
        return
    source = values[given[0]]
    position = size = None
    if isinstance(source, WithPlacement):
        values[given[0]], position, size = source.source, source.position, source.size
    values["watermark_position"] = merged(values.get("watermark_position"), position)
    values["watermark_size"] = merged_size(values.get("watermark_size"), size)


_POSITION_NAMES: Final = json_names(
    "gravity", "x", "y", "left", "top", "offset", "opacity", "blend", g="gravity"
)
"""A position in JSON: ``left``/``top`` and ``offset`` (``{"x", "y"}``) are other names of
``x``/``y``, as the official Python and Node builders send them; ``x``/``y`` win, then
``left``/``top``, then ``offset``."""


def watermark(text: str) -> WithPlacement:
    fields = object_fields(text, {**_POSITION_NAMES, **json_names("image_id", imageId="image_id")})
    if fields is not None:
        if "image_id" not in fields:
            raise BadValue("needs an image_id")
        return WithPlacement(
            WatermarkImage(json_field(fields, "image_id", _image_id)), _json_position(fields)
        )
    parts = text.split(":")
    image = WatermarkImage(_image_id(parts[0]))
    if len(parts) > 1 and starts_numeric(parts[1]):
        # No gravity between the id and x: the Python builder leaves out an empty field.
        parts.insert(1, "")
    if len(parts) > 4:
        raise BadValue("has more than image_id:gravity:x:y")
    padded = [*parts, "", "", ""]
    position = WatermarkPosition(
        optional(padded[1], _gravity), optional(padded[2], _offset), optional(padded[3], _offset)
    )
    return WithPlacement(image, position)


def watermark_position(text: str) -> WatermarkPosition | None:
    fields = object_fields(text, _POSITION_NAMES)
    if fields is not None:
        position = _json_position(fields)
    else:
        parts = text.split(":")
        if len(parts) > len(_POSITION_FIELDS):
            raise BadValue("has more than gravity:x:y:opacity:blend")
        padded = [*parts, *[""] * (len(_POSITION_FIELDS) - len(parts))]
        position = WatermarkPosition(
            *(
                optional(part, reader)
                for part, (_, reader) in zip(padded, _POSITION_FIELDS, strict=True)
            )
        )
    return None if position == WatermarkPosition() else position


def _json_position(fields: Mapping[str, Any]) -> WatermarkPosition:
    nested: dict[str, Any] = {}
    if "offset" in fields:
        if not isinstance(fields["offset"], dict):
            raise BadValue("has an offset that is not an object of x and y")
        nested = json_fields(fields["offset"], json_names("x", "y"))
    x = _first_given(fields.get("x"), fields.get("left"), nested.get("x"))
    y = _first_given(fields.get("y"), fields.get("top"), nested.get("y"))
    return WatermarkPosition(
        json_field(fields, "gravity", _gravity),
        None if x is None else from_json(x, _offset),
        None if y is None else from_json(y, _offset),
        json_field(fields, "opacity", _opacity),
        json_field(fields, "blend", _blend),
    )


def _first_given(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


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
        shade = json_color_field(fields, "color")
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


_TEXT_NAMES: Final = {
    **_POSITION_NAMES,
    **json_names(
        "text",
        "font",
        "size",
        "color",
        "align",
        "width",
        "height",
        colour="color",
        fontSize="size",
        font_size="size",
    ),
}
_ALIGNMENTS: Final = {
    "left": TextAlign.LEFT,
    "center": TextAlign.CENTRE,
    "centre": TextAlign.CENTRE,
    "right": TextAlign.RIGHT,
}


def watermark_text(text: str) -> WithPlacement:
    """The text itself, or a JSON object: ``text``, ``font``, ``size``, ``color``, ``align``,
    a position as ``watermark_position`` takes it, and ``width``/``height`` as
    ``watermark_size`` takes them (the official Python and Node builders send these)."""
    fields = object_fields(text, _TEXT_NAMES)
    if fields is None:
        return WithPlacement(WatermarkText(_text(text)))
    written = fields.get("text")
    if not isinstance(written, str):
        raise BadValue("needs a text string")
    font: str | None = json_field(fields, "font", _font)
    size: float | None = json_field(fields, "size", _text_size)
    shade: Rgba | None = json_color_field(fields, "color")
    align: TextAlign | None = json_field(fields, "align", _align)
    width, height = json_field(fields, "width", _size), json_field(fields, "height", _size)
    return WithPlacement(
        WatermarkText(
            _text(written),
            font or DEFAULT_FONT,
            DEFAULT_TEXT_SIZE if size is None else size,
            shade or DEFAULT_TEXT_COLOR,
            align or TextAlign.LEFT,
        ),
        _json_position(fields),
        WatermarkSize(width or 0.0, height or 0.0),
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
    # A mark has nothing to look for: attention and entropy place it at the centre, as they
    # place a picture on a canvas.
    found = gravity(text)
    return Gravity.CENTER if found.is_smart else found


def _align(text: str) -> TextAlign:
    return choice(text, _ALIGNMENTS)


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
