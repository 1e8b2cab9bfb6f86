"""Readers of the colour and filter parameters whose values have several fields or forms:
adjust, contrast, duotone, gradient, sharpen, blur, monochrome, negate and normalize.

As for the geometry readers: ``{`` starts a JSON object with the positional fields, a value
that asks for nothing (``contrast=1``, ``blur=false``) reads as None, and a number outside its
range is clamped into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from imgwired.transform.grammar.scalars import (
    BadValue,
    angle,
    boolean,
    choice,
    color,
    from_json,
    hex_color,
    json_color,
    json_color_field,
    json_field,
    json_names,
    looks_numeric,
    multiplier,
    number,
    object_fields,
    optional,
    switch_or_number,
)
from imgwired.transform.grammar.values import (
    Adjust,
    BlendMode,
    Contrast,
    Duotone,
    Gradient,
    Negate,
    Normalize,
    Rgba,
    Sharpen,
)

MAX_GRADIENT_COLORS: Final = 16
_BLACK: Final[Rgba] = (0, 0, 0, 255)

BLEND_MODES: Final[Mapping[str, BlendMode]] = {
    **{mode.value: mode for mode in BlendMode},
    **{mode.value.replace("-", "_"): mode for mode in BlendMode},
    "normal": BlendMode.OVER,
    "color-dodge": BlendMode.COLOUR_DODGE,
    "color_dodge": BlendMode.COLOUR_DODGE,
    "color-burn": BlendMode.COLOUR_BURN,
    "color_burn": BlendMode.COLOUR_BURN,
}


def adjust(text: str) -> Adjust | None:
    """``brightness[:saturation[:color]]``: multipliers, the guide's ``color`` among them.

    A third field that is not a number is a tint colour (``adjust=1:1:00f``), the meaning it had
    before the guide named a multiplier there; write an all-digit hex colour with ``#``.
    """
    fields = object_fields(text, json_names("brightness", "saturation", "color", colour="color"))
    if fields is not None:
        brightness = json_field(fields, "brightness", multiplier)
        saturation = json_field(fields, "saturation", multiplier)
        colour: float | None
        tint: Rgba | None
        third = fields.get("color")
        if isinstance(third, dict):
            colour, tint = None, json_color(third)
        else:
            colour, tint = _adjust_third(json_field(fields, "color", str))
    else:
        parts = text.split(":")
        brightness = optional(parts[0], multiplier)
        saturation = optional(parts[1], multiplier) if len(parts) > 1 else None
        colour, tint = _adjust_third(":".join(parts[2:]) if len(parts) > 2 else None)
    value = Adjust(
        1.0 if brightness is None else brightness,
        1.0 if saturation is None else saturation,
        1.0 if colour is None else colour,
        tint,
    )
    return None if value == Adjust() else value


def _adjust_third(text: str | None) -> tuple[float | None, Rgba | None]:
    """The third field of ``adjust``: a colour multiplier, or a tint when not a number."""
    if not text:
        return None, None
    if looks_numeric(text):
        return multiplier(text), None
    return None, color(text)


def contrast(text: str) -> Contrast | None:
    fields = object_fields(text, json_names("multiplier", "pivot", contrast="multiplier"))
    if fields is not None:
        if "multiplier" not in fields:
            raise BadValue("needs a multiplier")
        factor = json_field(fields, "multiplier", _contrast_multiplier)
        pivot = json_field(fields, "pivot", _pivot)
    else:
        factor_text, _, pivot_text = text.partition(":")
        factor = _contrast_multiplier(factor_text)
        pivot = optional(pivot_text, _pivot)
    if factor == 1.0:
        return None
    return Contrast(factor) if pivot is None else Contrast(factor, pivot)


MAX_CONTRAST: Final = 10.0
"""The steepest contrast either way: at 10, every level more than 13 from the pivot is already
black or white."""


def _contrast_multiplier(text: str) -> float:
    # Negative multipliers mirror around the pivot; the guide gives no range, so this is ours.
    return number(text, -MAX_CONTRAST, MAX_CONTRAST)


def _pivot(text: str) -> float:
    return number(text, 0, 255)


def duotone(text: str) -> Duotone:
    fields = object_fields(
        text,
        json_names(
            "shadow",
            "highlight",
            shadowColor="shadow",
            shadow_color="shadow",
            highlightColor="highlight",
            highlight_color="highlight",
        ),
    )
    if fields is not None:
        shadow, highlight = (
            json_color_field(fields, "shadow"),
            json_color_field(fields, "highlight"),
        )
        if shadow is None or highlight is None:
            raise BadValue("needs a shadow and a highlight colour")
        return Duotone(shadow, highlight)
    return Duotone(*_two_colours(text.split(":")))


def _two_colours(parts: list[str]) -> tuple[Rgba, Rgba]:
    """Two colours joined by ``:``, each hex or ``r:g:b[:alpha]`` (the JS builder writes a
    colour given as ``r:g:b`` that way): the one split where both halves are colours."""
    found: list[tuple[Rgba, Rgba]] = []
    for cut in range(1, len(parts) if len(parts) <= 8 else 0):
        try:
            found.append((color(":".join(parts[:cut])), color(":".join(parts[cut:]))))
        except BadValue:
            continue
    if not found:
        raise BadValue("not shadowColor:highlightColor")
    if len(found) > 1:
        raise BadValue("reads as more than one pair of colours: write them as rrggbb hex")
    return found[0]


def gradient(text: str) -> Gradient:
    fields = object_fields(
        text, json_names("colors", "angle", "opacity", "blend", colours="colors")
    )
    if fields is not None:
        listed = fields.get("colors", [])
        if not isinstance(listed, list):
            raise BadValue("needs a list of colours")
        colors = tuple(json_color(item) for item in listed[: MAX_GRADIENT_COLORS + 1])
        angle_value = json_field(fields, "angle", angle)
        opacity = json_field(fields, "opacity", _opacity)
        blend = json_field(fields, "blend", _blend)
    else:
        head, *options = text.split(":")
        if len(options) > 3:
            raise BadValue("has too many fields")
        colors = tuple(hex_color(part) for part in head.split(",")[: MAX_GRADIENT_COLORS + 1])
        angle_value = optional(options[0], angle) if options else None
        opacity = optional(options[1], _opacity) if len(options) > 1 else None
        blend = optional(options[2], _blend) if len(options) > 2 else None
    if len(colors) > MAX_GRADIENT_COLORS:
        raise BadValue(f"has more than {MAX_GRADIENT_COLORS} colours")
    return Gradient(
        _from_clear(colors),
        180.0 if angle_value is None else angle_value,
        1.0 if opacity is None else opacity,
        blend or BlendMode.OVER,
    )


def _from_clear(colors: tuple[Rgba, ...]) -> tuple[Rgba, ...]:
    """One colour fades from clear to itself, and none is black, as imgproxy draws its
    gradient (the Python and Node builders send one colour, or none)."""
    if len(colors) >= 2:
        return colors
    end = colors[0] if colors else _BLACK
    return (end[0], end[1], end[2], 0), end


def _opacity(text: str) -> float:
    return number(text, 0, 1)


def _blend(text: str) -> BlendMode:
    return choice(text, BLEND_MODES)


MAX_SHARPEN_SIGMA: Final = 10.0
"""Sharpening's widest mask: the guide gives no range, and a wider one costs far more."""


def sharpen(text: str) -> Sharpen | None:
    fields = object_fields(
        text, json_names("sigma", "m1", "m2", "x1", "y2", "y3", "flat", "jagged")
    )
    if fields is None:
        sigma = switch_or_number(text, 0.01, MAX_SHARPEN_SIGMA)
        return None if sigma is None else Sharpen(sigma)
    # flat and jagged are other names of m1 and m2; the Node builder passes both on, and the
    # libvips names win.
    for other, name in (("flat", "m1"), ("jagged", "m2")):
        if other in fields:
            fields.setdefault(name, fields[other])
            del fields[other]
    readers = {"sigma": _sigma} | dict.fromkeys(("m1", "m2", "x1", "y2", "y3"), _sharpen_term)
    given = {name: from_json(value, readers[name]) for name, value in fields.items()}
    return Sharpen(**given)


def _sigma(text: str) -> float:
    return number(text, 0.01, MAX_SHARPEN_SIGMA)


def _sharpen_term(text: str) -> float:
    return number(text, 0, 100)


def blur(text: str) -> float | None:
    """``true`` (sigma 1), ``false``/``0`` (none), or a sigma clamped into the guide's 0.3..100."""
    return switch_or_number(text, 0.3, 100)


def monochrome(text: str) -> bool | Rgba:
    try:
        return boolean(text)
    except BadValue:
        return color(text)


def negate(text: str) -> Negate | None:
    if text.lower().startswith("alpha:"):
        return Negate(alpha=boolean(text[len("alpha:") :]))
    return Negate() if boolean(text) else None


def normalize(text: str) -> Normalize | None:
    fields = object_fields(text, json_names("lower", "upper"))
    if fields is not None:
        if not fields:
            raise BadValue("needs a lower or an upper percentile")
        # One alone keeps the other at its default (1 and 99), as the Python builder sends it.
        default = Normalize()
        lower = json_field(fields, "lower", _percentile)
        upper = json_field(fields, "upper", _percentile)
        lower = default.lower if lower is None else lower
        upper = default.upper if upper is None else upper
    elif ":" not in text:
        return Normalize() if boolean(text) else None
    else:
        lower_text, _, upper_text = text.partition(":")
        lower, upper = _percentile(lower_text), _percentile(upper_text)
    if lower >= upper:
        raise BadValue("needs lower below upper")
    return Normalize(lower, upper)


def _percentile(text: str) -> float:
    return number(text, 0, 100)
