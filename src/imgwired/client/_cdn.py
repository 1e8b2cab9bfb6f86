"""CDN URLs for an image: ``{cdn_url}[@preset][?name=value&...]``, built without the network."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

TransformationValue = str | int | float | bool | Mapping[str, Any]

_PRESET = re.compile(r"[A-Za-z0-9_-]{1,64}")


def transformation_url(
    cdn_url: str,
    preset: str | None,
    transformations: Mapping[str, TransformationValue | None],
) -> str:
    """The delivery URL of ``cdn_url`` with a preset and transformations.

    The preset is appended as ``@name`` (the server knows ``thumbnail``, ``small``, ``medium``
    and ``large``; others are its 400 to give). Transformations become query parameters in the
    order given, ``None`` values left out, names and values percent-encoded: booleans as
    ``true`` / ``false``, numbers as plain decimals (``1e-07`` is written ``0.0000001``), and a
    mapping as the compact JSON object the server reads for the parameters that take one.
    Raises ``ValueError`` for a preset that cannot be part of a path or a number that is not
    finite, and ``TypeError`` for a value of another type.
    """
    url = cdn_url
    if preset is not None:
        if not _PRESET.fullmatch(preset):
            raise ValueError(f"not a preset name: {preset!r}")
        url = f"{url}@{preset}"
    query = [
        (name, _text(name, value)) for name, value in transformations.items() if value is not None
    ]
    if query:
        url = f"{url}?{urlencode(query, quote_via=quote, safe='')}"
    return url


def _text(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _plain_decimal(name, value)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        try:
            return json.dumps(value, separators=(",", ":"), allow_nan=False)
        except ValueError:
            raise ValueError(f"transformation {name!r} holds a number that is not finite") from None
    raise TypeError(
        f"transformation {name!r} must be a string, number, boolean or mapping, not {value!r}"
    )


def _plain_decimal(name: str, value: float) -> str:
    """``value`` without an exponent, as short as reads back the same (``0.1`` stays ``0.1``)."""
    if not math.isfinite(value):
        raise ValueError(f"transformation {name!r} must be a finite number, not {value!r}")
    return format(Decimal(repr(value)), "f")
