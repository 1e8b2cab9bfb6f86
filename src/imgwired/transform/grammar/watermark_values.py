"""The typed values of the seven watermark parameters, and the safe clamps their numbers obey.

The contract gives no ranges for these parameters, so every number is accepted and clamped
into the range written next to it (see docs/transformations.md). Offsets and sizes strictly
between -1 and 1 are fractions of the watermarked image's width or height; others are pixels,
multiplied by ``dpr``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from typing import Final

from imgwired.transform.grammar.values import BlendMode, Gravity, Rgba

MAX_OFFSET: Final = 8192.0
"""Largest watermark offset, in pixels, either way."""
MAX_SIZE: Final = 8192.0
"""Largest watermark width or height, in pixels."""
MAX_SHADOW_OFFSET: Final = 1024.0
"""Largest shadow offset, in pixels, either way."""
MAX_SHADOW_BLUR: Final = 100.0
"""Largest shadow blur (Gaussian sigma, pixels)."""
MIN_TEXT_SIZE: Final = 1.0
MAX_TEXT_SIZE: Final = 256.0
"""Text sizes, in pixels (points at 72 dpi)."""

DEFAULT_FONT: Final = "Source Sans Pro"
"""The family every install has: it is a dependency of imgwired (font-source-sans-pro)."""
DEFAULT_TEXT_SIZE: Final = 24.0
DEFAULT_TEXT_COLOR: Final[Rgba] = (0, 0, 0, 255)
DEFAULT_SHADOW_COLOR: Final[Rgba] = (0, 0, 0, 153)
DEFAULT_SHADOW_BLUR: Final = 3.0
DEFAULT_SHADOW_OFFSET: Final = 3.0


@dataclass(frozen=True, slots=True)
class WatermarkImage:
    """``watermark``: an image of the same environment; ``image_id`` is the canonical spelling
    (lower case, hyphenated). A position given with it is folded into ``watermark_position``."""

    image_id: str


@dataclass(frozen=True, slots=True)
class WatermarkPosition:
    """``watermark_position``: where the watermark goes and how it is laid on the image.

    ``x``/``y`` are offsets from the gravity's edge toward the inside (from the centre: right
    and down). None is left out: the value given with the source, else the default. Parsing
    leaves only what differs from the defaults (centre, 0, 0, opaque, laid over).
    """

    gravity: Gravity | None = None
    x: float | None = None
    y: float | None = None
    opacity: float | None = None
    blend: BlendMode | None = None


@dataclass(frozen=True, slots=True)
class WatermarkSize:
    """``watermark_size``: a box the watermark is fitted into (0 leaves a side free), or, when
    ``scale`` is above 0, a box that fraction of the image's size."""

    width: float = 0.0
    height: float = 0.0
    scale: float = 0.0


@dataclass(frozen=True, slots=True)
class WatermarkShadow:
    """``watermark_shadow``: a blurred copy of the watermark's shape in ``color``, offset."""

    color: Rgba = DEFAULT_SHADOW_COLOR
    blur: float = DEFAULT_SHADOW_BLUR
    x: float = DEFAULT_SHADOW_OFFSET
    y: float = DEFAULT_SHADOW_OFFSET


class TextAlign(enum.StrEnum):
    """How the lines of a text watermark are aligned with each other."""

    LEFT = "left"
    CENTRE = "centre"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class WatermarkText:
    """``watermark_text``: plain text (no markup) in a font family, a size and a colour.

    A position or size given with it is folded into ``watermark_position`` and
    ``watermark_size``.
    """

    text: str
    font: str = DEFAULT_FONT
    size: float = DEFAULT_TEXT_SIZE
    color: Rgba = DEFAULT_TEXT_COLOR
    align: TextAlign = TextAlign.LEFT


@dataclass(frozen=True, slots=True)
class Placement:
    """The position every watermark source ends up with, all fields resolved."""

    gravity: Gravity = Gravity.CENTER
    x: float = 0.0
    y: float = 0.0
    opacity: float = 1.0
    blend: BlendMode = BlendMode.OVER


def placement(position: WatermarkPosition | None) -> Placement:
    """``position``'s fields, the defaults (centre, no offset, opaque, laid over) where it
    leaves them out."""
    given = position or WatermarkPosition()
    return Placement(
        given.gravity or Gravity.CENTER,
        given.x or 0.0,
        given.y or 0.0,
        1.0 if given.opacity is None else given.opacity,
        given.blend or BlendMode.OVER,
    )


def merged(
    position: WatermarkPosition | None, inline: WatermarkPosition | None
) -> WatermarkPosition | None:
    """``position``'s fields, ``inline``'s where it leaves them out, keeping only what differs
    from the defaults, so that equal requests are spelled one way (None: nothing asked)."""
    first, second = position or WatermarkPosition(), inline or WatermarkPosition()
    names = [field.name for field in fields(WatermarkPosition)]
    chosen = {
        name: getattr(second, name) if getattr(first, name) is None else getattr(first, name)
        for name in names
    }
    resolved, default = placement(WatermarkPosition(**chosen)), Placement()
    kept = {
        name: getattr(resolved, name)
        for name in names
        if getattr(resolved, name) != getattr(default, name)
    }
    return WatermarkPosition(**kept) if kept else None


def merged_size(size: WatermarkSize | None, inline: WatermarkSize | None) -> WatermarkSize | None:
    """``size``'s width, height and scale, ``inline``'s where it leaves them at 0."""
    first, second = size or WatermarkSize(), inline or WatermarkSize()
    result = WatermarkSize(
        first.width or second.width, first.height or second.height, first.scale or second.scale
    )
    return None if result == WatermarkSize() else result
