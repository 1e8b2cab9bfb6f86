"""CDN URLs for an image: ``{cdn_url}[@preset][?name=value&...]``, built without the network."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlencode

TransformationValue = str | int | float | bool

_PRESET = re.compile(r"[A-Za-z0-9_-]{1,64}")


def transformation_url(
    cdn_url: str,
    preset: str | None,
    transformations: Mapping[str, TransformationValue | None],
) -> str:
    """The delivery URL of ``cdn_url`` with a preset and transformations.

    The preset is appended as ``@name`` (the server knows ``thumbnail``, ``small``, ``medium``
    and ``large``; others are its 400 to give). Transformations become query parameters in the
    order given, booleans as ``true`` / ``false``, ``None`` values left out, names and values
    percent-encoded. Raises ``ValueError`` for a preset that cannot be part of a path and
    ``TypeError`` for a value that is not a string, number or boolean.
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
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"transformation {name!r} must be a string, number or boolean, not {value!r}")
