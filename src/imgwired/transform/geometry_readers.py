"""Readers of the geometry parameters whose values have several fields: crop, extend, padding,
extend_aspect_ratio, flip, rotate and zoom.

A value that starts with ``{`` is read as a JSON object with the same fields as the positional
form. Each reader returns the normalised value, or None when the value asks for nothing
(``rotate=0``, ``zoom=1``, ``flip=false:false``, ``padding=0``), so a no-op spelling means the
same as leaving the parameter out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from imgwired.transform.scalars import (
    BadValue,
    angle,
    boolean,
    choice,
    color,
    gravity,
    in_range,
    integer,
    json_field,
    json_names,
    number,
    object_fields,
)
from imgwired.transform.values import (
    AspectRatio,
    Crop,
    Extend,
    Flip,
    Gravity,
    Rotate,
    Sides,
    Zoom,
)

MAX_OFFSET: Final = 100_000
"""The largest crop size or offset: sources may be larger than outputs."""
MAX_SIDE: Final = 8192
"""The largest extend or padding on one side."""


def crop(text: str) -> Crop:
    fields = object_fields(
        text, json_names("width", "height", "x", "y", "gravity", w="width", h="height", g="gravity")
    )
    if fields is not None:
        if "width" not in fields or "height" not in fields:
            raise BadValue("needs a width and a height")
        if ("x" in fields) != ("y" in fields):
            raise BadValue("needs both x and y, or neither")
        x, y = json_field(fields, "x", _offset), json_field(fields, "y", _offset)
        width, height = json_field(fields, "width", _size), json_field(fields, "height", _size)
        anchor = json_field(fields, "gravity", gravity)
    else:
        parts = text.split(":")
        numeric = 0
        while numeric < min(len(parts), 4) and _looks_numeric(parts[numeric]):
            numeric += 1
        if numeric == 4:
            x, y = _offset(parts[0]), _offset(parts[1])
            width, height = _size(parts[2]), _size(parts[3])
        elif numeric >= 2:
            numeric = 2
            x = y = None
            width, height = _size(parts[0]), _size(parts[1])
        else:
            raise BadValue("not width:height[:gravity] nor x:y:width:height[:gravity]")
        rest = ":".join(parts[numeric:])
        anchor = gravity(rest) if rest else None
    if x is not None and anchor is not None and anchor.is_smart:
        raise BadValue("x:y offsets need a compass gravity, not attention or entropy")
    return Crop(width, height, x, y, anchor)


def _looks_numeric(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text[0] in "-.")


def _offset(text: str) -> int:
    return integer(text, -MAX_OFFSET, MAX_OFFSET)


def _size(text: str) -> int:
    return integer(text, 1, MAX_OFFSET)


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


def extend(text: str) -> Extend | None:
    fields = object_fields(
        text, json_names(*_SIDE_NAMES, "background", bg="background", color="background")
    )
    if fields is not None:
        value = Extend(_json_sides(fields), json_field(fields, "background", color))
    else:
        parts = text.split(":")
        if len(parts) > 4:
            value = Extend(sides([_side(part) for part in parts[:4]]), color(":".join(parts[4:])))
        else:
            value = Extend(sides([_side(part) for part in parts]))
    return None if value.sides.is_empty else value


def padding(text: str) -> Sides | None:
    """``all``, ``x:y`` (x: left and right; y: top and bottom), ``top:x:bottom``, or all four."""
    fields = object_fields(text, json_names(*_SIDE_NAMES))
    if fields is not None:
        value = _json_sides(fields)
    else:
        values = [_side(part) for part in text.split(":")]
        if len(values) > 4:
            raise BadValue("has more than four sides")
        if len(values) == 2:
            # The contract names the two-value form x:y: horizontal first, unlike CSS.
            values = [values[1], values[0]]
        value = sides(values)
    return None if value.is_empty else value


def aspect_ratio(text: str) -> AspectRatio:
    fields = object_fields(
        text, json_names("ratio", "width", "height", "gravity", aspect_ratio="ratio", g="gravity")
    )
    if fields is not None:
        if "ratio" in fields:
            if "width" in fields or "height" in fields:
                raise BadValue("needs a ratio, or a width and a height, not both")
            ratio = json_field(fields, "ratio", _ratio)
        elif "width" in fields and "height" in fields:
            ratio = _ratio_of(
                json_field(fields, "width", _ratio_term), json_field(fields, "height", _ratio_term)
            )
        else:
            raise BadValue("needs a ratio, or a width and a height")
        return AspectRatio(ratio, json_field(fields, "gravity", gravity))
    parts = text.split(":")
    if len(parts) >= 2 and _looks_numeric(parts[1]):
        ratio, rest = _ratio_of(_ratio_term(parts[0]), _ratio_term(parts[1])), parts[2:]
    else:
        ratio, rest = _ratio(parts[0]), parts[1:]
    return AspectRatio(ratio, gravity(":".join(rest)) if rest else None)


def _ratio(text: str) -> float:
    return number(text, 0.01, 100)


def _ratio_term(text: str) -> float:
    return number(text, 0.01, 100_000)


def _ratio_of(width: float, height: float) -> float:
    try:
        return in_range(width / height, 0.01, 100)
    except BadValue:
        raise BadValue("must be a ratio between 1:100 and 100:1") from None


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
        background = json_field(fields, "background", color)
    else:
        parts = text.split(":")
        degrees = angle(parts[0])
        background = color(":".join(parts[1:])) if len(parts) > 1 else None
    return Rotate(degrees, background) if degrees else None


def zoom(text: str) -> Zoom | None:
    factor_text, _, gravity_text = text.partition(":")
    factor = number(factor_text, 1, 100)
    anchor: Gravity | None = gravity(gravity_text) if gravity_text else None
    return Zoom(factor, anchor) if factor != 1 else None
