"""The small grammars parameter values are built from: numbers, booleans, colours, gravities, JSON.

Each reader takes the text (or a decoded JSON value) and returns a normalised value, or raises
``BadValue`` saying what is wrong in words; the caller adds which parameter it was.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from imgwired.transform.grammar.values import Gravity, Rgba

E = TypeVar("E")

BOOLEAN_TRUE: Final = frozenset({"true", "t", "1"})
BOOLEAN_FALSE: Final = frozenset({"false", "f", "0"})

_COMPASS: Final[Mapping[str, Gravity]] = {
    **{gravity.value: gravity for gravity in Gravity if not gravity.is_smart},
    "ce": Gravity.CENTER,
    "n": Gravity.NORTH,
    "no": Gravity.NORTH,
    "s": Gravity.SOUTH,
    "so": Gravity.SOUTH,
    "e": Gravity.EAST,
    "ea": Gravity.EAST,
    "w": Gravity.WEST,
    "we": Gravity.WEST,
    "ne": Gravity.NORTHEAST,
    "noea": Gravity.NORTHEAST,
    "se": Gravity.SOUTHEAST,
    "soea": Gravity.SOUTHEAST,
    "nw": Gravity.NORTHWEST,
    "nowe": Gravity.NORTHWEST,
    "sw": Gravity.SOUTHWEST,
    "sowe": Gravity.SOUTHWEST,
}

GRAVITIES: Final[Mapping[str, Gravity]] = {
    **_COMPASS,
    "attention": Gravity.ATTENTION,
    "entropy": Gravity.ENTROPY,
    # imgproxy's smart gravity is "sm"; the official builders write it after a compass
    # gravity ("ce:sm" in the contract, "no:sm" from the Go builder): all mean attention.
    "sm": Gravity.ATTENTION,
    **{f"{spelling}:sm": Gravity.ATTENTION for spelling in _COMPASS},
}
"""Every accepted spelling of a gravity (the contract's values and shorthands), lower case."""

GRAVITY_TEXT: Final = (
    "center (ce), north (n), south (s), east (e), west (w), northeast (ne), northwest (nw), "
    "southeast (se), southwest (sw), attention (sm, ce:sm) or entropy"
)

# Decimals, with an exponent as JavaScript's String(n) and Python's str(x) write them (1e-7,
# 1e+21). No hex, underscores, spaces, nan or inf: those are not numbers a builder emits.
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_HEX_COLOR = re.compile(r"#?((?:[0-9a-fA-F]{3}){1,2}|[0-9a-fA-F]{8})")


class BadValue(Exception):
    """A value that does not follow its grammar; the message says why, in a short phrase."""


def looks_numeric(text: str) -> bool:
    """Whether ``text`` is written as a number (whatever its range)."""
    return bool(_NUMBER.fullmatch(text))


def decimal(text: str) -> float:
    """Any number the grammar allows; one too large for a float is infinite (callers clamp)."""
    if not _NUMBER.fullmatch(text):
        raise BadValue("not a number")
    return float(text)


def number(text: str, low: float, high: float) -> float:
    """A number, clamped into ``low``..``high``: the hosted service's rule for ranges."""
    return clamp(decimal(text), low, high)


def integer(text: str, low: int, high: int) -> int:
    """A number rounded half up to a whole one, clamped into ``low``..``high``."""
    return int(clamp(round_half_up(decimal(text)), low, high))


def exact_integer(text: str, low: int, high: int) -> int:
    """A whole number that must already lie in ``low``..``high`` (a colour channel)."""
    value = decimal(text)
    if not low <= value <= high or value != int(value):
        raise BadValue(f"must be a whole number from {low} to {high}")
    return int(value)


def clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def round_half_up(value: float) -> float:
    """Half up, not Python's half to even (2.5 is 3); infinities stay as they are."""
    return math.floor(value + 0.5) if math.isfinite(value) else value


def boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in BOOLEAN_TRUE:
        return True
    if lowered in BOOLEAN_FALSE:
        return False
    raise BadValue("not a boolean")


def gravity(text: str) -> Gravity:
    found = GRAVITIES.get(text.lower())
    if found is None:
        raise BadValue("not a gravity")
    return found


def choice(text: str, options: Mapping[str, E]) -> E:
    """The value ``text`` names in ``options`` (keys in lower case), case-insensitively."""
    lowered = text.lower()
    if lowered not in options:
        raise BadValue("not one of the accepted values")
    return options[lowered]


def color(text: str) -> Rgba:
    """``rgb``, ``rrggbb`` or ``rrggbbaa`` hex (``#`` optional), or ``r:g:b[:alpha]``."""
    if ":" in text:
        return _color_components(text.split(":"))
    match = _HEX_COLOR.fullmatch(text)
    if match is None:
        raise BadValue("not a colour")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    if len(digits) == 6:
        digits += "ff"
    red, green, blue, alpha = (int(digits[i : i + 2], 16) for i in range(0, 8, 2))
    return red, green, blue, alpha


def hex_color(text: str) -> Rgba:
    """A colour in hex only: inside values that use ``:`` between their own fields."""
    if ":" in text:
        raise BadValue("colours inside this value must be written in hex")
    return color(text)


def _color_components(parts: list[str]) -> Rgba:
    if len(parts) not in (3, 4):
        raise BadValue("not a colour (r:g:b or r:g:b:alpha)")
    # A colour is exact: a channel outside 0..255 is a typo, not a value to clamp.
    try:
        red, green, blue = (exact_integer(part, 0, 255) for part in parts[:3])
        alpha = decimal(parts[3]) if len(parts) == 4 else 1.0
    except BadValue:
        raise BadValue("not a colour (r:g:b with 0..255 and an alpha of 0..1)") from None
    if not 0 <= alpha <= 1:
        raise BadValue("not a colour (r:g:b with 0..255 and an alpha of 0..1)")
    return red, green, blue, round(alpha * 255)


_CHANNELS: Final = {"r": "r", "g": "g", "b": "b", "alpha": "alpha", "a": "alpha"}


def json_color(value: Any) -> Rgba:
    """A colour in JSON: the text forms, or ``{"r", "g", "b"[, "alpha"]}`` as builders send."""
    if not isinstance(value, dict):
        return from_json(value, color)
    fields = json_fields(value, _CHANNELS)
    if not {"r", "g", "b"} <= set(fields):
        raise BadValue("has a colour object without r, g and b")
    text = ":".join(
        _json_number_text(channel) if isinstance(channel, int | float) else str(channel)
        for channel in (fields[name] for name in ("r", "g", "b", "alpha") if name in fields)
    )
    return color(text)


def json_color_field(fields: Mapping[str, Any], name: str) -> Rgba | None:
    """Colour field ``name`` (any JSON colour form), or None when it is absent."""
    return json_color(fields[name]) if name in fields else None


def json_object(text: str) -> dict[str, Any]:
    """A JSON object; NaN, Infinity and duplicate keys are refused.

    Its length is bounded by the parameter's (``Parameter.max_length``); nesting too deep for
    the decoder is refused as invalid.
    """
    try:
        decoded = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError):
        raise BadValue("not a valid JSON object") from None
    if not isinstance(decoded, dict):
        raise BadValue("not a JSON object")
    return decoded


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(key)
        result[key] = value
    return result


def json_fields(decoded: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """``decoded`` with each key renamed through ``names`` (spelling -> field); others refused."""
    result: dict[str, Any] = {}
    for key, value in decoded.items():
        field = names.get(key)
        if field is None:
            known = ", ".join(sorted(set(names.values())))
            raise BadValue(f"has no field {_quote(key)} (fields: {known})")
        if field in result:
            raise BadValue(f"gives the field {field!r} twice")
        result[field] = value
    return result


def from_json(value: Any, reader: Callable[[str], E]) -> E:
    """A JSON field read by the text ``reader``: numbers and booleans go through their text."""
    if isinstance(value, bool):
        return reader("true" if value else "false")
    if isinstance(value, int | float):
        return reader(_json_number_text(value))
    if isinstance(value, str):
        return reader(value)
    raise BadValue("has a field of the wrong type")


def _json_number_text(value: int | float) -> str:
    """A JSON number as the text grammar reads it; ``1e999`` (infinite here) is refused."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue("not a finite number")
    return repr(value)


def object_fields(text: str, names: Mapping[str, str]) -> dict[str, Any] | None:
    """The fields of a JSON-object value, or None when ``text`` is positional."""
    if not text.startswith("{"):
        return None
    return json_fields(json_object(text), names)


def json_names(*fields: str, **aliases: str) -> dict[str, str]:
    """JSON key spellings: each field as is, plus ``alias=field`` pairs."""
    return {**{field: field for field in fields}, **aliases}


def json_field(fields: Mapping[str, Any], name: str, reader: Callable[[str], Any]) -> Any:
    """Field ``name`` read by ``reader``, or None when it is absent."""
    return from_json(fields[name], reader) if name in fields else None


def optional(text: str, reader: Callable[[str], Any]) -> Any:
    """``text`` read by ``reader``, or None when it is empty (a positional field left out)."""
    return reader(text) if text else None


def angle(text: str) -> float:
    """Degrees of any size, normalised to ``[0, 360)``."""
    degrees = decimal(text)
    if not math.isfinite(degrees):
        raise BadValue("too large")
    turned = degrees % 360.0
    # A tiny negative angle (-1e-20) rounds to 360.0 itself, outside the half-open range.
    return 0.0 if turned == 360.0 else turned


def multiplier(text: str) -> float:
    """The guide's multiplier range, 0.01..10 (1 leaves the image as is)."""
    return number(text, 0.01, 10)


def switch_or_number(text: str, low: float, high: float) -> float | None:
    """``true``/``t`` (1), ``false``/``f``/``0`` (off), or a number clamped into low..high.

    A number that is exactly 0 is off too, as ``0`` is.
    """
    lowered = text.lower()
    if lowered in ("true", "t"):
        return 1.0
    if lowered in ("false", "f"):
        return None
    value = decimal(text)
    return None if value == 0 else clamp(value, low, high)


def _quote(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")
