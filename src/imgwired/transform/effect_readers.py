"""Readers of the colour and filter parameters whose values have several fields or forms:
adjust, contrast, duotone, gradient, sharpen, blur, monochrome, negate and normalize.

As for the geometry readers: ``{`` starts a JSON object with the positional fields, and a value
that asks for nothing (``contrast=1``, ``blur=false``) reads as None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from imgwired.transform.scalars import (
    BadValue,
    angle,
    boolean,
    choice,
    color,
    from_json,
    hex_color,
    json_field,
    json_names,
    multiplier,
    number,
    object_fields,
    optional,
)
from imgwired.transform.values import (
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
    fields = object_fields(text, json_names("brightness", "saturation", "color", colour="color"))
    if fields is not None:
        brightness = json_field(fields, "brightness", multiplier)
        saturation = json_field(fields, "saturation", multiplier)
        tint = json_field(fields, "color", color)
    else:
        parts = text.split(":")
        brightness = optional(parts[0], multiplier)
        saturation = optional(parts[1], multiplier) if len(parts) > 1 else None
        tint = color(":".join(parts[2:])) if len(parts) > 2 else None
    value = Adjust(brightness or 1.0, saturation or 1.0, tint)
    return None if value == Adjust() else value


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


def _contrast_multiplier(text: str) -> float:
    return number(text, 0, 10)


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
        if "shadow" not in fields or "highlight" not in fields:
            raise BadValue("needs a shadow and a highlight colour")
        return Duotone(json_field(fields, "shadow", color), json_field(fields, "highlight", color))
    parts = text.split(":")
    half = len(parts) // 2
    if len(parts) not in (2, 6, 8):
        raise BadValue("not shadowColor:highlightColor")
    return Duotone(color(":".join(parts[:half])), color(":".join(parts[half:])))


def gradient(text: str) -> Gradient:
    fields = object_fields(
        text, json_names("colors", "angle", "opacity", "blend", colours="colors")
    )
    if fields is not None:
        listed = fields.get("colors")
        if not isinstance(listed, list):
            raise BadValue("needs a list of colours")
        colors = tuple(from_json(item, color) for item in listed[: MAX_GRADIENT_COLORS + 1])
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
    if not 2 <= len(colors) <= MAX_GRADIENT_COLORS:
        raise BadValue(f"needs 2 to {MAX_GRADIENT_COLORS} colours")
    return Gradient(
        colors,
        180.0 if angle_value is None else angle_value,
        1.0 if opacity is None else opacity,
        blend or BlendMode.OVER,
    )


def _opacity(text: str) -> float:
    return number(text, 0, 1)


def _blend(text: str) -> BlendMode:
    return choice(text, BLEND_MODES)


def sharpen(text: str) -> Sharpen | None:
    names = json_names("sigma", "m1", "m2", "x1", "y2", "y3", flat="m1", jagged="m2")
    fields = object_fields(text, names)
    if fields is None:
        sigma = _switch_or_number(text, 0.01, 10)
        return None if sigma is None else Sharpen(sigma)
    readers = {"sigma": _sigma} | dict.fromkeys(("m1", "m2", "x1", "y2", "y3"), _sharpen_term)
    given = {name: from_json(value, readers[name]) for name, value in fields.items()}
    return Sharpen(**given)


def _sigma(text: str) -> float:
    return number(text, 0.01, 10)


def _sharpen_term(text: str) -> float:
    return number(text, 0, 100)


def blur(text: str) -> float | None:
    return _switch_or_number(text, 0.3, 100)


def _switch_or_number(text: str, low: float, high: float) -> float | None:
    """``true``/``t`` (sigma 1), ``false``/``f``/``0`` (off), or a sigma from low to high."""
    lowered = text.lower()
    if lowered in ("true", "t"):
        return 1.0
    if lowered in ("false", "f", "0"):
        return None
    return number(text, low, high)


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
    if ":" not in text:
        return Normalize() if boolean(text) else None
    lower_text, _, upper_text = text.partition(":")
    lower, upper = number(lower_text, 0, 100), number(upper_text, 0, 100)
    if lower >= upper:
        raise BadValue("needs lower below upper")
    return Normalize(lower, upper)
