"""Readers of the geometry parameters whose values have several fields: crop, extend, padding,
extend_aspect_ratio, flip, rotate and zoom; and of sizes (width, height, min-width, min-height).

A value that starts with ``{`` is read as a JSON object with the same fields as the positional
form. Each reader returns the normalised value, or None when the value asks for nothing
(``rotate=0``, ``zoom=1``, ``flip=false:false``, ``padding=0``), so a no-op spelling means the
same as leaving the parameter out. Numbers outside a range are clamped into it; sizes below 1
are shares of the picture's side, as imgproxy reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from imgwired.transform.scalars import (
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    BadValue,
    angle,
    boolean,
    choice,
    clamp,
    color,
    decimal,
    gravity,
    integer,
    json_color_field,
    json_field,
    json_names,
    looks_numeric,
    number,
    object_fields,
    round_half_up,
)
from imgwired.transform.values import (
    AspectRatio,
    Crop,
    Extend,
    ExtendToSize,
    Flip,
    Gravity,
    Length,
    Rotate,
    Share,
    Sides,
    Zoom,
)

MAX_DIMENSION: Final = 8192
"""The largest output side: a larger width or height is clamped to it."""
MAX_OFFSET: Final = 100_000
"""The largest crop size or offset: sources may be larger than outputs."""
MAX_SIDE: Final = 8192
"""The largest extend or padding on one side."""
MAX_RATIO: Final = 100.0
"""The widest ``extend_aspect_ratio`` (and 1 / it the tallest): more is clamped."""


def length(text: str, high: int, *, zero: Length | None) -> Length | None:
    """A size: pixels (rounded half up, at most ``high``), a share below 1, ``zero`` for 0.

    Negative sizes are refused: below 1 already means a share, and no share is negative.
    """
    value = decimal(text)
    if value < 0:
        raise BadValue("a size cannot be negative")
    if value == 0:
        return zero
    if value < 1:
        return Share(value)
    return int(clamp(round_half_up(value), 1, high))


def size(text: str) -> Length | None:
    """``width``, ``height``, ``min-width``, ``min-height``: 0 asks for nothing (auto)."""
    return length(text, MAX_DIMENSION, zero=None)


def _crop_size(text: str) -> Length:
    # 0 is the whole side, as imgproxy reads it.
    found = length(text, MAX_OFFSET, zero=Share(1.0))
    assert found is not None
    return found


def _offset(text: str) -> Length:
    value = decimal(text)
    if 0 < abs(value) < 1:
        return Share(value)  # a share of the source's side
    return int(clamp(round_half_up(value), -MAX_OFFSET, MAX_OFFSET))


_CROP_MODES: Final = {"extract", "cover", "attention", "entropy"}


def crop(text: str) -> Crop | None:
    fields = object_fields(
        text,
        json_names(
            "width", "height", "x", "y", "gravity", "mode", w="width", h="height", g="gravity"
        ),
    )
    if fields is not None:
        width, height, x, y, anchor = _json_crop(fields)
    else:
        parts = text.split(":")
        numeric = 0
        while numeric < min(len(parts), 4) and _starts_numeric(parts[numeric]):
            numeric += 1
        if numeric == 4:
            x, y = _offset(parts[0]), _offset(parts[1])
            width, height = _crop_size(parts[2]), _crop_size(parts[3])
        elif numeric >= 2:
            numeric = 2
            x = y = None
            width, height = _crop_size(parts[0]), _crop_size(parts[1])
        else:
            raise BadValue("not width:height[:gravity] nor x:y:width:height[:gravity]")
        rest = ":".join(parts[numeric:])
        anchor = gravity(rest) if rest else None
    if x is not None and anchor is not None and anchor.is_smart:
        raise BadValue("x:y offsets need a compass gravity, not attention or entropy")
    whole = width == height == Share(1.0)
    if whole and (x is None or x == y == 0):
        return None  # the whole picture: nothing is cut
    return Crop(width, height, x, y, anchor)


def _json_crop(
    fields: Mapping[str, Any],
) -> tuple[Length, Length, Length | None, Length | None, Gravity | None]:
    """The JSON crop; ``mode`` (as the official builders send it) says which kind of crop."""
    if "width" not in fields or "height" not in fields:
        raise BadValue("needs a width and a height")
    mode = json_field(fields, "mode", _crop_mode)
    has_offsets = "x" in fields or "y" in fields
    if has_offsets and ("x" not in fields or "y" not in fields):
        raise BadValue("needs both x and y, or neither")
    if mode == "extract" and not has_offsets:
        raise BadValue("mode extract needs x and y")
    if mode in ("cover", "attention", "entropy") and has_offsets:
        raise BadValue(f"mode {mode} takes no x and y (they belong to mode extract)")
    anchor = json_field(fields, "gravity", gravity)
    if mode in ("attention", "entropy"):
        if anchor is not None:
            raise BadValue(f"mode {mode} is the gravity: give no other")
        anchor = Gravity(mode)
    x, y = json_field(fields, "x", _offset), json_field(fields, "y", _offset)
    width = json_field(fields, "width", _crop_size)
    height = json_field(fields, "height", _crop_size)
    return width, height, x, y, anchor


def _crop_mode(text: str) -> str:
    mode = text.lower()
    if mode not in _CROP_MODES:
        raise BadValue("has a mode that is not extract, cover, attention or entropy")
    return mode


def _starts_numeric(text: str) -> bool:
    """Whether a positional field starts as a number does (so it is no gravity or colour)."""
    return bool(text) and (text[0].isdigit() or text[0] in "-.")


def sides(values: list[int]) -> Sides:
    """CSS shorthand: one value for all sides; top+sides; top+sides+bottom; or all four."""
    if len(values) == 1:
        return Sides(values[0], values[0], values[0], values[0])
    if len(values) == 2:
        return Sides(values[0], values[1], values[0], values[1])
    if len(values) == 3:
        return Sides(values[0], values[1], values[2], values[1])
    return Sides(*values)


def _side(text: str) -> int:
    return integer(text, 0, MAX_SIDE)


_SIDE_NAMES: Final = ("top", "right", "bottom", "left")


def _json_sides(fields: Mapping[str, Any]) -> Sides:
    return Sides(*(json_field(fields, name, _side) or 0 for name in _SIDE_NAMES))


def extend(text: str) -> Extend | ExtendToSize | None:
    """Sides (``top[:right[:bottom[:left[:background]]]]``), or imgproxy's ``bool[:gravity]``."""
    fields = object_fields(
        text, json_names(*_SIDE_NAMES, "background", bg="background", color="background")
    )
    if fields is not None:
        value = Extend(_json_sides(fields), json_color_field(fields, "background"))
        return None if value.sides.is_empty else value
    parts = text.split(":")
    if _is_switch(parts):
        anchor = _switch_gravity(parts)
        return ExtendToSize(anchor) if boolean(parts[0]) else None
    if len(parts) > 4:
        value = Extend(sides([_side(part) for part in parts[:4]]), color(":".join(parts[4:])))
    else:
        value = Extend(sides([_side(part) for part in parts]))
    return None if value.sides.is_empty else value


def _is_switch(parts: list[str]) -> bool:
    """Whether a value is imgproxy's ``bool[:gravity]``: a boolean word, 0, or 1 before a
    gravity. A lone 1 keeps its older meaning (one pixel, a 1:1 ratio)."""
    head = parts[0].lower()
    if head not in BOOLEAN_TRUE | BOOLEAN_FALSE:
        return False
    if not looks_numeric(head):
        return True
    if len(parts) > 1:
        return not _starts_numeric(parts[1])
    return head == "0"


def _switch_gravity(parts: list[str]) -> Gravity | None:
    return gravity(":".join(parts[1:])) if len(parts) > 1 else None


def padding(text: str) -> Sides | None:
    """``all``, ``x:y`` (x: left and right; y: top and bottom), ``top:x:bottom``, or all four.

    The JSON object may also give ``all``, ``x`` and ``y``; a named side wins over them.
    """
    fields = object_fields(text, json_names(*_SIDE_NAMES, "all", "x", "y"))
    if fields is not None:
        every = json_field(fields, "all", _side) or 0
        across = json_field(fields, "x", _side)
        down = json_field(fields, "y", _side)
        across, down = every if across is None else across, every if down is None else down
        named = {name: json_field(fields, name, _side) for name in _SIDE_NAMES}
        value = Sides(
            *(
                default if named[name] is None else named[name]
                for name, default in zip(_SIDE_NAMES, (down, across, down, across), strict=True)
            )
        )
    else:
        values = [_side(part) for part in text.split(":")]
        if len(values) > 4:
            raise BadValue("has more than four sides")
        if len(values) == 2:
            # The contract names the two-value form x:y: horizontal first, unlike CSS.
            values = [values[1], values[0]]
        value = sides(values)
    return None if value.is_empty else value


def aspect_ratio(text: str) -> AspectRatio | None:
    """A ratio, ``width:height``, imgproxy's ``bool``; each optionally ``:gravity``; or JSON."""
    fields = object_fields(
        text,
        json_names(
            "ratio",
            "width",
            "height",
            "gravity",
            aspect_ratio="ratio",
            aspectRatio="ratio",
            g="gravity",
        ),
    )
    if fields is not None:
        if "ratio" in fields:
            if "width" in fields or "height" in fields:
                raise BadValue("needs a ratio, or a width and a height, not both")
            ratio = json_field(fields, "ratio", _ratio_text)
        elif "width" in fields and "height" in fields:
            ratio = _ratio_of(
                json_field(fields, "width", _ratio_term), json_field(fields, "height", _ratio_term)
            )
        else:
            raise BadValue("needs a ratio, or a width and a height")
        return AspectRatio(ratio, json_field(fields, "gravity", gravity))
    parts = text.split(":")
    if _is_switch(parts):
        anchor = _switch_gravity(parts)
        return AspectRatio(None, anchor) if boolean(parts[0]) else None
    if len(parts) >= 2 and _starts_numeric(parts[1]):
        ratio, rest = _ratio_of(_ratio_term(parts[0]), _ratio_term(parts[1])), parts[2:]
    else:
        ratio, rest = _ratio(parts[0]), parts[1:]
    return AspectRatio(ratio, gravity(":".join(rest)) if rest else None)


def _ratio(text: str) -> float:
    return number(text, 1 / MAX_RATIO, MAX_RATIO)


def _ratio_text(text: str) -> float:
    """A JSON ratio: a number, or ``"width:height"`` as the official Python builder sends it."""
    width, colon, height = text.partition(":")
    return _ratio_of(_ratio_term(width), _ratio_term(height)) if colon else _ratio(text)


def _ratio_term(text: str) -> float:
    return number(text, 0.01, MAX_OFFSET)


def _ratio_of(width: float, height: float) -> float:
    return clamp(width / height, 1 / MAX_RATIO, MAX_RATIO)


_FLIPS: Final = {
    "horizontal": Flip(horizontal=True, vertical=False),
    "vertical": Flip(horizontal=False, vertical=True),
    "both": Flip(horizontal=True, vertical=True),
}


def flip(text: str) -> Flip | None:
    if ":" in text:
        horizontal, _, vertical = text.partition(":")
        value = Flip(boolean(horizontal), boolean(vertical))
    else:
        value = choice(text, _FLIPS)
    return value if value.horizontal or value.vertical else None


def rotate(text: str) -> Rotate | None:
    fields = object_fields(
        text, json_names("angle", "background", bg="background", color="background")
    )
    if fields is not None:
        if "angle" not in fields:
            raise BadValue("needs an angle")
        degrees = json_field(fields, "angle", angle)
        background = json_color_field(fields, "background")
    else:
        parts = text.split(":")
        degrees = angle(parts[0])
        background = color(":".join(parts[1:])) if len(parts) > 1 else None
    return Rotate(degrees, background) if degrees else None


def zoom(text: str) -> Zoom | None:
    """``factor[:gravity]``; below 1 would need pixels outside the picture, so it is 1."""
    factor_text, _, gravity_text = text.partition(":")
    factor = number(factor_text, 1, 100)
    anchor: Gravity | None = gravity(gravity_text) if gravity_text else None
    return Zoom(factor, anchor) if factor != 1 else None
