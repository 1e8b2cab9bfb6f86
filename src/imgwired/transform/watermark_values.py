"""The typed values of the seven watermark parameters, and the safe clamps their numbers obey.

The contract gives no ranges for these parameters, so every number is accepted and clamped
into the range written next to it (see docs/transformations.md). Offsets and sizes strictly
between -1 and 1 are fractions of the watermarked image's width or height; others are pixels,
multiplied by ``dpr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from imgwired.transform.values import BlendMode, Gravity, Rgba

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
    """``watermark``: an image of the same environment, optionally with its own position.

    ``image_id`` is the canonical spelling (lower case, hyphenated). The position fields are
    used where ``watermark_position`` leaves them out.
    """

    image_id: str
    gravity: Gravity | None = None
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True, slots=True)
class WatermarkPosition:
    """``watermark_position``: where the watermark goes and how it is laid on the image.

    ``x``/``y`` are offsets from the gravity's edge toward the inside (from the centre: right
    and down). Unset fields fall back to those of ``watermark``, then to the defaults.
    """

    gravity: Gravity | None = None
    x: float | None = None
    y: float | None = None
    opacity: float = 1.0
    blend: BlendMode = BlendMode.OVER


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


@dataclass(frozen=True, slots=True)
class WatermarkText:
    """``watermark_text``: plain text (no markup) in a font family, a size and a colour."""

    text: str
    font: str = DEFAULT_FONT
    size: float = DEFAULT_TEXT_SIZE
    color: Rgba = DEFAULT_TEXT_COLOR


@dataclass(frozen=True, slots=True)
class Placement:
    """The position every watermark source ends up with, all fields resolved."""

    gravity: Gravity = Gravity.CENTER
    x: float = 0.0
    y: float = 0.0
    opacity: float = 1.0
    blend: BlendMode = BlendMode.OVER


def placement(image: WatermarkImage | None, position: WatermarkPosition | None) -> Placement:
    """``watermark_position``'s fields, else those given inline with ``watermark``, else the
    defaults (centre, no offset, opaque, laid over)."""
    inline = image or WatermarkImage("")
    given = position or WatermarkPosition()
    gravity = given.gravity or inline.gravity or Gravity.CENTER
    x = given.x if given.x is not None else inline.x
    y = given.y if given.y is not None else inline.y
    return Placement(gravity, x or 0.0, y or 0.0, given.opacity, given.blend)
