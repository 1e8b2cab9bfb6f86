"""The reader of ``crop``: a box of the resized picture, or a region of the source.

Positional forms, told apart by how many fields are numbers before the gravity:

- ``width:height[:gravity[:x:y]]``: a box of the resized picture at the gravity, moved by its
  offsets (imgproxy's crop; the JS builder writes ``w:h:g:x:y``, the Go one ``w:h:ce:0:0``);
- ``x:y:width:height[:gravity]``: a region of the source, ``x``/``y`` counted from the
  gravity's edges; a smart gravity places the region by looking at the source instead.

The JSON object has the same fields, plus ``mode`` as the official builders send it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from imgwired.transform.grammar.geometry_readers import anchor, crop_size, offset, starts_numeric
from imgwired.transform.grammar.scalars import BadValue, json_field, json_names, object_fields
from imgwired.transform.grammar.values import Anchor, Crop, Gravity, Length, Share

_MODES: Final = {"extract", "cover", "attention", "entropy"}
_FIELDS: Final = json_names(
    "width", "height", "x", "y", "gravity", "mode", w="width", h="height", g="gravity"
)

_Parts = tuple[Length, Length, Length | None, Length | None, Anchor | None]


def crop(text: str) -> Crop | None:
    """The crop ``text`` asks for, or None when it cuts nothing (``0:0``, the whole picture)."""
    fields = object_fields(text, _FIELDS)
    width, height, x, y, at = _positional(text) if fields is None else _json(fields)
    if x is not None and at is not None:
        if at.has_offsets:
            raise BadValue("a region x:y:width:height takes a gravity without offsets")
        if at.is_smart:
            x = y = 0  # the region goes where the source is most interesting
    whole = width == height == Share(1.0)
    if whole and (x is None or x == y == 0):
        return None  # the whole picture: nothing is cut
    return Crop(width, height, x, y, at)


def _positional(text: str) -> _Parts:
    parts = text.split(":")
    numeric = 0
    while numeric < min(len(parts), 4) and starts_numeric(parts[numeric]):
        numeric += 1
    x: Length | None = None
    y: Length | None = None
    if numeric == 4:
        x, y = offset(parts[0]), offset(parts[1])
        width, height = crop_size(parts[2]), crop_size(parts[3])
    elif numeric >= 2:
        numeric = 2
        width, height = crop_size(parts[0]), crop_size(parts[1])
    else:
        raise BadValue("not width:height[:gravity] nor x:y:width:height[:gravity]")
    rest = ":".join(parts[numeric:])
    return width, height, x, y, anchor(rest) if rest else None


def _json(fields: Mapping[str, Any]) -> _Parts:
    """The JSON crop. ``mode`` says which kind: ``extract`` a region of the source, ``cover`` a
    box of the resized picture, ``attention``/``entropy`` that box placed by looking. Without a
    mode, ``x``/``y`` decide. One of ``x``/``y`` alone has the other 0."""
    if "width" not in fields or "height" not in fields:
        raise BadValue("needs a width and a height")
    mode = json_field(fields, "mode", _mode)
    x, y = json_field(fields, "x", offset), json_field(fields, "y", offset)
    if x is not None or y is not None:
        x, y = (0 if x is None else x), (0 if y is None else y)
    at: Anchor | None = json_field(fields, "gravity", anchor)
    if mode in ("attention", "entropy"):
        at = Anchor(Gravity(mode))  # the mode is the gravity, and wins over one given too
    if mode == "extract" and x is None:
        raise BadValue("mode extract needs x and y")
    if mode in ("cover", "attention", "entropy") and x is not None and y is not None:
        # A box of the resized picture, where x and y are its gravity's offsets.
        if at is not None and at.has_offsets:
            raise BadValue("gives offsets twice, as x and y and inside its gravity")
        at = Anchor((at or Anchor(Gravity.CENTER)).gravity, x, y)
        x = y = None
    width: Length = json_field(fields, "width", crop_size)
    height: Length = json_field(fields, "height", crop_size)
    return width, height, x, y, at


def _mode(text: str) -> str:
    mode = text.lower()
    if mode not in _MODES:
        raise BadValue("has a mode that is not extract, cover, attention or entropy")
    return mode
