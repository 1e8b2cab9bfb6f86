"""The typed, normalised values of transformation parameters, and their canonical spelling.

Every value here is immutable and hashable, and two spellings that mean the same thing parse to
equal values (``#f00``, ``ff0000`` and ``255:0:0`` are one ``Rgba``), so ``canonical_value`` of
equal values is one string.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from types import MappingProxyType
from typing import Final

from imgwired.media_types import SupportedMimeType

Rgba = tuple[int, int, int, int]
"""A colour: red, green, blue and alpha, each 0..255 (alpha 255 is opaque)."""


@dataclass(frozen=True, slots=True)
class Share:
    """A length given as a share of the picture's side (``w=0.5``), as imgproxy reads values
    below 1: above 0 and at most 1 for sizes; offsets may also be negative."""

    of_side: float


Length = int | Share
"""A size or offset: whole pixels, or a share of the picture's side."""


def pixels(length: Length, side: int) -> int:
    """A size in pixels of a picture whose side is ``side``: a share rounds half up, to >= 1."""
    if isinstance(length, Share):
        return max(1, math.floor(side * length.of_side + 0.5))
    return length


def offset_pixels(length: Length, side: int) -> int:
    """An offset in pixels of a picture whose side is ``side`` (a share rounds half up)."""
    if isinstance(length, Share):
        return math.floor(side * length.of_side + 0.5)
    return length


class OutputFormat(enum.StrEnum):
    """An encoded output format; the value is the ``format`` parameter's canonical spelling."""

    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    AVIF = "avif"
    GIF = "gif"
    TIFF = "tiff"

    @property
    def media_type(self) -> SupportedMimeType:
        """The media type an output in this format is served as: the one format table."""
        return _MEDIA_TYPES[self]

    @classmethod
    def of_media_type(cls, media_type: SupportedMimeType) -> OutputFormat | None:
        """The output format that writes ``media_type``, or None (HEIC, JPEG XL, BMP, ICO are
        read, never written)."""
        return _FORMATS_BY_MEDIA_TYPE.get(media_type)


_MEDIA_TYPES: Final[Mapping[OutputFormat, SupportedMimeType]] = MappingProxyType(
    {
        OutputFormat.JPEG: SupportedMimeType.JPEG,
        OutputFormat.PNG: SupportedMimeType.PNG,
        OutputFormat.WEBP: SupportedMimeType.WEBP,
        OutputFormat.AVIF: SupportedMimeType.AVIF,
        OutputFormat.GIF: SupportedMimeType.GIF,
        OutputFormat.TIFF: SupportedMimeType.TIFF,
    }
)
_FORMATS_BY_MEDIA_TYPE: Final = {media: output for output, media in _MEDIA_TYPES.items()}


class Gravity(enum.StrEnum):
    """Where a crop, a zoom or a canvas is anchored; ``attention`` and ``entropy`` look."""

    CENTER = "center"
    NORTH = "north"
    SOUTH = "south"
    EAST = "east"
    WEST = "west"
    NORTHEAST = "northeast"
    NORTHWEST = "northwest"
    SOUTHEAST = "southeast"
    SOUTHWEST = "southwest"
    ATTENTION = "attention"
    ENTROPY = "entropy"

    @property
    def is_smart(self) -> bool:
        """Whether the anchor is found by looking at the pixels rather than fixed."""
        return self in (Gravity.ATTENTION, Gravity.ENTROPY)


@dataclass(frozen=True, slots=True)
class Anchor:
    """A gravity with offsets, imgproxy's ``type:x_offset:y_offset``: a box is put at
    ``gravity``, then moved ``x`` and ``y`` toward the inside of the gravity's edges (from the
    centre and along a middle: right and down). Pixels, or shares of the side they move along.

    Smart gravities find their own place: they carry no offsets (``Anchor`` of one has 0, 0).
    """

    gravity: Gravity
    x: Length = 0
    y: Length = 0

    def __post_init__(self) -> None:
        if self.gravity.is_smart:
            # Frozen: the offsets of a smart gravity are dropped as it is made.
            object.__setattr__(self, "x", 0)
            object.__setattr__(self, "y", 0)

    @property
    def is_smart(self) -> bool:
        return self.gravity.is_smart

    @property
    def has_offsets(self) -> bool:
        return self.x != 0 or self.y != 0

    def compass(self) -> Anchor:
        """This anchor where nothing can be looked at (canvases, animations): smart is centre."""
        return Anchor(Gravity.CENTER) if self.is_smart else self


CENTRE: Final = Anchor(Gravity.CENTER)
"""The default gravity: the centre, without offsets."""


class ResizingType(enum.StrEnum):
    COVER = "cover"
    CONTAIN = "contain"
    FILL = "fill"
    INSIDE = "inside"
    OUTSIDE = "outside"


class Kernel(enum.StrEnum):
    """A resampling kernel; the values are libvips's kernel names."""

    NEAREST = "nearest"
    CUBIC = "cubic"
    MITCHELL = "mitchell"
    LANCZOS2 = "lanczos2"
    LANCZOS3 = "lanczos3"


class ColorProfile(enum.StrEnum):
    SRGB = "srgb"
    RGB16 = "rgb16"
    CMYK = "cmyk"
    KEEP = "keep"


class ChromaSubsampling(enum.StrEnum):
    S444 = "4:4:4"
    S422 = "4:2:2"
    S420 = "4:2:0"


class BlendMode(enum.StrEnum):
    """How a gradient is laid over the image; the values are libvips's blend mode names."""

    OVER = "over"
    MULTIPLY = "multiply"
    SCREEN = "screen"
    OVERLAY = "overlay"
    DARKEN = "darken"
    LIGHTEN = "lighten"
    COLOUR_DODGE = "colour-dodge"
    COLOUR_BURN = "colour-burn"
    HARD_LIGHT = "hard-light"
    SOFT_LIGHT = "soft-light"
    DIFFERENCE = "difference"
    EXCLUSION = "exclusion"


@dataclass(frozen=True, slots=True)
class Adjust:
    """``adjust``: brightness, saturation and colour multipliers, or a tint in the third field.

    ``color`` scales each pixel's distance from its own grey (as a colour-balance knob does);
    ``tint`` is the older third field, a colour laid on as ``colorize`` lays it.
    """

    brightness: float = 1.0
    saturation: float = 1.0
    color: float = 1.0
    tint: Rgba | None = None


@dataclass(frozen=True, slots=True)
class Contrast:
    """``contrast``: ``(value - pivot) * multiplier + pivot`` on each colour channel.

    A negative multiplier mirrors the values around the pivot.
    """

    multiplier: float
    pivot: float = 128.0


@dataclass(frozen=True, slots=True)
class Crop:
    """``crop``: ``x``/``y`` set means a region of the source; unset, a region of the resized image.

    With a gravity, ``x``/``y`` are offsets from that anchor; without one, from the top left.
    A smart gravity places the region by looking (its ``x``/``y`` are 0). A ``Share`` is a share
    of the side of the picture the crop cuts (``Share(1)``: all of it).
    """

    width: Length
    height: Length
    x: Length | None = None
    y: Length | None = None
    gravity: Anchor | None = None
    """With ``x``/``y``, a gravity without offsets (``x``/``y`` are them); without, any."""

    @property
    def of_source(self) -> bool:
        return self.x is not None


@dataclass(frozen=True, slots=True)
class Duotone:
    shadow: Rgba
    highlight: Rgba


@dataclass(frozen=True, slots=True)
class Sides:
    """Pixels to add on each side (``padding``, and ``extend`` without its colour)."""

    top: int
    right: int
    bottom: int
    left: int

    @property
    def is_empty(self) -> bool:
        return not (self.top or self.right or self.bottom or self.left)


@dataclass(frozen=True, slots=True)
class Extend:
    sides: Sides
    background: Rgba | None = None


@dataclass(frozen=True, slots=True)
class Padding:
    """``padding``: pixels added on each side, in its own colour or else the ``background``."""

    sides: Sides
    background: Rgba | None = None


@dataclass(frozen=True, slots=True)
class ExtendToSize:
    """``extend=true[:gravity]`` (imgproxy's form): a picture smaller than the requested width
    and height is laid on a canvas of that size, at ``gravity``."""

    gravity: Anchor | None = None


@dataclass(frozen=True, slots=True)
class AspectRatio:
    """``extend_aspect_ratio``: width / height to pad the canvas to, anchored by ``gravity``.

    ``ratio`` None (``extend_aspect_ratio=true``) is the ratio of the requested width and height.
    """

    ratio: float | None
    gravity: Anchor | None = None


@dataclass(frozen=True, slots=True)
class Flip:
    horizontal: bool
    vertical: bool


@dataclass(frozen=True, slots=True)
class Gradient:
    """A linear gradient overlay; ``angle`` in degrees as in CSS (180 runs top to bottom)."""

    colors: tuple[Rgba, ...]
    angle: float = 180.0
    opacity: float = 1.0
    blend: BlendMode = BlendMode.OVER


@dataclass(frozen=True, slots=True)
class Negate:
    alpha: bool = False


@dataclass(frozen=True, slots=True)
class Normalize:
    """Stretch lightness so the ``lower`` percentile becomes black and ``upper`` white."""

    lower: float = 1.0
    upper: float = 99.0


@dataclass(frozen=True, slots=True)
class Rotate:
    """A clockwise rotation; ``angle`` is normalised to ``[0, 360)`` and never 0."""

    angle: float
    background: Rgba | None = None


@dataclass(frozen=True, slots=True)
class Sharpen:
    """libvips ``sharpen`` arguments (``m1`` flat, ``m2`` jagged areas; ``x1``, ``y2``, ``y3``)."""

    sigma: float = 1.0
    m1: float = 0.0
    m2: float = 3.0
    x1: float = 2.0
    y2: float = 10.0
    y3: float = 20.0


@dataclass(frozen=True, slots=True)
class Zoom:
    """Magnify by ``factor`` (> 1) around ``gravity``, keeping the output size."""

    factor: float
    gravity: Anchor | None = None


def format_number(value: float) -> str:
    """The shortest decimal that reads back as ``value``: ``800.0`` and ``800`` are ``800``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def format_color(color: Rgba) -> str:
    return "".join(f"{component:02x}" for component in color)


def canonical_value(value: object) -> str:
    """One spelling per value: fields in order, ``:`` between them, unset ones empty."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Anchor):
        # Without offsets, the gravity's name alone: the spelling it had before offsets.
        if not value.has_offsets:
            return str(value.gravity.value)
        return ":".join((value.gravity.value, canonical_value(value.x), canonical_value(value.y)))
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return format_number(value)
    if value is None:
        return ""
    if isinstance(value, str):
        # Quoted and escaped: free text (a watermark's) must not be mistaken for separators.
        return json.dumps(value)
    if isinstance(value, tuple):
        if len(value) == 4 and all(isinstance(part, int) for part in value):
            return format_color(value)
        return ",".join(canonical_value(part) for part in value)
    if is_dataclass(value) and not isinstance(value, type):
        parts = (canonical_value(getattr(value, field.name)) for field in fields(value))
        return "(" + ":".join(parts) + ")"
    raise TypeError(f"no canonical form for {type(value).__name__}")
