"""Readers of the geometry parameters whose values have several fields: extend, padding,
extend_aspect_ratio, flip, rotate and zoom; of sizes (width, height, min-width, min-height); and
of gravities with their offsets (``gravity``, and the gravity inside other values).

A value that starts with ``{`` is read as a JSON object with the same fields as the positional
form. Each reader returns the normalised value, or None when the value asks for nothing
(``rotate=0``, ``zoom=1``, ``flip=false:false``, ``padding=0``), so a no-op spelling means the
same as leaving the parameter out. Numbers outside a range are clamped into it; sizes below 1
are shares of the picture's side, as imgproxy reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from imgwired.transform.grammar.scalars import (
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
from imgwired.transform.grammar.values import (
    Anchor,
    AspectRatio,
    Extend,
    ExtendToSize,
    Flip,
    Length,
    Padding,
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


def crop_size(text: str) -> Length:
    """A crop's width or height: pixels up to 100000, a share below 1; 0 is the whole side, as
    imgproxy reads it."""
    found = length(text, MAX_OFFSET, zero=Share(1.0))
    assert found is not None
    return found


def offset(text: str) -> Length:
    """An offset: pixels (either sign, up to 100000), or a share of the side strictly between
    -1 and 1."""
    value = decimal(text)
    if 0 < abs(value) < 1:
        return Share(value)
    return int(clamp(round_half_up(value), -MAX_OFFSET, MAX_OFFSET))


def anchor(text: str) -> Anchor:
    """``gravity[:x:y]``, imgproxy's ``type:x_offset:y_offset`` (``ce:10:-5``, ``no:sm``).

    A smart gravity takes no offsets: any written after it are read, then dropped, since it
    finds its own place.
    """
    parts = text.split(":")
    if len(parts) < 3:
        return Anchor(gravity(text))
    return Anchor(gravity(":".join(parts[:-2])), offset(parts[-2]), offset(parts[-1]))


def starts_numeric(text: str) -> bool:
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
        at = _switch_gravity(parts)
        return ExtendToSize(at) if boolean(parts[0]) else None
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
        return not starts_numeric(parts[1])
    return head == "0"


def _switch_gravity(parts: list[str]) -> Anchor | None:
    return anchor(":".join(parts[1:])) if len(parts) > 1 else None


def padding(text: str) -> Padding | None:
    """``all``, ``x:y`` (x: left and right; y: top and bottom), ``top:x:bottom``, or all four.

    The JSON object may also give ``all``, ``x`` and ``y`` (a named side wins over them), and
    its own ``background`` colour, as the official Python builder sends it.
    """
    fields = object_fields(
        text,
        json_names(
            *_SIDE_NAMES, "all", "x", "y", "background", bg="background", color="background"
        ),
    )
    background = None
    if fields is not None:
        background = json_color_field(fields, "background")
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
    return None if value.is_empty else Padding(value, background)


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
            # With a width and a height too (the Python builder passes them all on), the
            # ratio says it outright and wins.
            ratio = json_field(fields, "ratio", _ratio_text)
        elif "width" in fields and "height" in fields:
            ratio = _ratio_of(
                json_field(fields, "width", _ratio_term), json_field(fields, "height", _ratio_term)
            )
        else:
            raise BadValue("needs a ratio, or a width and a height")
        return AspectRatio(ratio, json_field(fields, "gravity", anchor))
    parts = text.split(":")
    if _is_switch(parts):
        at = _switch_gravity(parts)
        return AspectRatio(None, at) if boolean(parts[0]) else None
    if len(parts) >= 2 and starts_numeric(parts[1]):
        ratio, rest = _ratio_of(_ratio_term(parts[0]), _ratio_term(parts[1])), parts[2:]
    else:
        ratio, rest = _ratio(parts[0]), parts[1:]
    return AspectRatio(ratio, anchor(":".join(rest)) if rest else None)


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
    at = anchor(gravity_text) if gravity_text else None
    return Zoom(factor, at) if factor != 1 else None
