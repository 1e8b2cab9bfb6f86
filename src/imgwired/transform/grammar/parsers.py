"""Every transformation parameter: its canonical name, aliases, reader and accepted values.

``PARAMETERS`` is the one table the parser, the canonical form and the docs agree on. A reader
turns the raw text into the normalised value stored on ``Transformation`` (the field named
``field``), raising ``BadValue`` when the text does not follow the grammar in ``accepts``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from imgwired.transform.grammar import (
    crop_readers,
    effect_readers,
    geometry_readers,
    watermark_readers,
)
from imgwired.transform.grammar.scalars import (
    GRAVITY_TEXT,
    angle,
    boolean,
    choice,
    color,
    integer,
    number,
)
from imgwired.transform.grammar.values import (
    ChromaSubsampling,
    ColorProfile,
    Kernel,
    OutputFormat,
    ResizingType,
)

MAX_DIMENSION: Final = geometry_readers.MAX_DIMENSION

_FORMATS: Final[Mapping[str, OutputFormat | None]] = {
    "auto": None,
    "jpg": OutputFormat.JPEG,
    **{output.value: output for output in OutputFormat},
}
_RESIZING_TYPES: Final[Mapping[str, ResizingType]] = {
    **{kind.value: kind for kind in ResizingType},
    "fit": ResizingType.INSIDE,
    "fill-down": ResizingType.INSIDE,
    "force": ResizingType.FILL,
    "auto": ResizingType.INSIDE,
}
_KERNELS: Final[Mapping[str, Kernel]] = {kernel.value: kernel for kernel in Kernel}
_PROFILES: Final[Mapping[str, ColorProfile]] = {
    **{profile.value: profile for profile in ColorProfile},
    "preserve": ColorProfile.KEEP,
}
_SUBSAMPLING: Final[Mapping[str, ChromaSubsampling | None]] = {
    "auto": None,
    **{mode.value: mode for mode in ChromaSubsampling},
}


MAX_VALUE_LENGTH: Final = 1024
"""The longest value of most parameters, in characters."""


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    aliases: tuple[str, ...]
    read: Callable[[str], object]
    accepts: str
    """What values are accepted, in words, for error messages."""
    max_length: int = MAX_VALUE_LENGTH
    """The longest value read, in characters."""

    @property
    def field(self) -> str:
        """The ``Transformation`` attribute: the name with ``-`` as ``_``."""
        return self.name.replace("-", "_")


def _multiplier(text: str) -> float:
    return number(text, 0.01, 10)


def _auto_or(reader: Callable[[str], object]) -> Callable[[str], object]:
    """``auto`` means the default, the same as not giving the parameter."""

    def read(text: str) -> object:
        return None if text.lower() == "auto" else reader(text)

    return read


def _quality(text: str) -> int:
    return integer(text, 1, 100)


def _dpr(text: str) -> float:
    return number(text, 0.01, 8)


def _dpi(text: str) -> int:
    return integer(text, 1, 600)


def _pixelate(text: str) -> int:
    return integer(text, 2, 256)


def _unit(text: str) -> float:
    return number(text, 0, 1)


def _hue(text: str) -> float:
    return angle(text)


def _choices(options: Mapping[str, object]) -> Callable[[str], object]:
    def read(text: str) -> object:
        return choice(text, options)

    return read


_COLOR = "a colour: rgb, rrggbb or rrggbbaa hex (# optional), or r:g:b[:alpha]"
_BOOLEAN = "true, t, 1, false, f or 0"
_MULTIPLIER = "a number, clamped to 0.01..10 (1 leaves the image as is)"
_SIZE = "pixels (clamped to 1..8192), a share of the source below 1, or 0 for auto"
_OBJECT = " (or the same fields as a JSON object)"

_TABLE: Final = (
    Parameter(
        "adjust",
        ("a",),
        effect_readers.adjust,
        "brightness[:saturation[:color]], multipliers clamped to 0.01..10" + _OBJECT,
    ),
    Parameter("background", ("bg",), color, _COLOR),
    Parameter("background_alpha", ("bga",), _unit, "a number, clamped to 0..1"),
    Parameter("blur", ("bl",), effect_readers.blur, "true, false, or a sigma, clamped to 0.3..100"),
    Parameter("brightness", ("br",), _multiplier, _MULTIPLIER),
    Parameter("chroma_subsampling", (), _choices(_SUBSAMPLING), "4:4:4, 4:2:2, 4:2:0 or auto"),
    Parameter(
        "color_profile", ("cp", "icc"), _choices(_PROFILES), "srgb, rgb16, cmyk, keep or preserve"
    ),
    Parameter("colorize", ("col",), color, _COLOR),
    Parameter(
        "contrast",
        ("co",),
        effect_readers.contrast,
        "multiplier (clamped to -10..10)[:pivot (clamped to 0..255)]" + _OBJECT,
    ),
    Parameter(
        "crop",
        ("c",),
        crop_readers.crop,
        "width:height[:gravity[:x:y]] or x:y:width:height[:gravity] (below 1: shares of the "
        "source)" + _OBJECT,
    ),
    Parameter("dpi", (), _dpi, "a whole number, clamped to 1..600"),
    Parameter("dpr", (), _dpr, "a number, clamped to 0.01..8"),
    Parameter(
        "duotone",
        ("dt",),
        effect_readers.duotone,
        "shadowColor:highlightColor" + _OBJECT,
    ),
    Parameter("enlarge", ("el",), boolean, _BOOLEAN),
    Parameter(
        "extend",
        ("ex",),
        geometry_readers.extend,
        "top[:right[:bottom[:left[:background]]]] (pixels, clamped to 0..8192), or "
        "true[:gravity]" + _OBJECT,
    ),
    Parameter(
        "extend_aspect_ratio",
        ("exar", "extend_ar"),
        geometry_readers.aspect_ratio,
        "a ratio (clamped to 0.01..100), width:height or true, then optionally :gravity" + _OBJECT,
    ),
    Parameter(
        "flip",
        ("fl",),
        geometry_readers.flip,
        "horizontal, vertical, both, or horizontal:vertical booleans",
    ),
    Parameter(
        "format",
        ("ext", "extension", "f"),
        _choices(_FORMATS),
        "auto, jpg, jpeg, png, webp, avif, gif or tiff",
    ),
    Parameter(
        "gradient",
        ("gr",),
        effect_readers.gradient,
        "hex colours color1[,color2,...][:angle[:opacity[:blend]]]" + _OBJECT,
    ),
    Parameter(
        "gravity",
        ("g",),
        geometry_readers.anchor,
        GRAVITY_TEXT + ", optionally followed by :x:y offsets",
    ),
    Parameter("height", ("h",), geometry_readers.size, _SIZE),
    Parameter("hue", ("hu",), _hue, "an angle in degrees"),
    Parameter("keep_copyright", ("kcr",), boolean, _BOOLEAN),
    Parameter("lightness", ("l",), _multiplier, _MULTIPLIER),
    Parameter("min-height", ("mh", "min_height"), geometry_readers.size, _SIZE),
    Parameter("min-width", ("min_width", "mw"), geometry_readers.size, _SIZE),
    Parameter("monochrome", ("mc",), effect_readers.monochrome, f"true, false, or {_COLOR}"),
    Parameter(
        "negate", ("neg",), effect_readers.negate, "true, false, or alpha:true / alpha:false"
    ),
    Parameter(
        "normalize",
        ("norm", "normalise"),
        effect_readers.normalize,
        "true, false, or lower:upper percentiles (clamped to 0..100)" + _OBJECT,
    ),
    Parameter(
        "padding",
        ("pd",),
        geometry_readers.padding,
        "all, x:y, top:x:bottom or top:right:bottom:left, pixels clamped to 0..8192" + _OBJECT,
    ),
    Parameter("pixelate", ("pix",), _pixelate, "a whole number, clamped to 2..256"),
    Parameter("progressive", (), _auto_or(boolean), f"{_BOOLEAN} or auto"),
    Parameter("quality", ("q",), _auto_or(_quality), "a whole number, clamped to 1..100, or auto"),
    Parameter(
        "resizing_algorithm",
        ("ra",),
        _choices(_KERNELS),
        "nearest, cubic, mitchell, lanczos2 or lanczos3",
    ),
    Parameter(
        "resizing_type",
        (),
        _choices(_RESIZING_TYPES),
        "cover, contain, fill, inside or outside (legacy: fit, fill-down, force, auto)",
    ),
    Parameter(
        "rotate",
        ("rot",),
        geometry_readers.rotate,
        "an angle in degrees, optionally :background colour" + _OBJECT,
    ),
    Parameter("saturation", ("sa",), _multiplier, _MULTIPLIER),
    Parameter(
        "sharpen",
        ("sh",),
        effect_readers.sharpen,
        "true, false, or a sigma clamped to 0.01..10 (or a JSON object: sigma, m1, m2, x1, y2, y3)",
    ),
    Parameter("strip_color_profile", ("scp",), boolean, _BOOLEAN),
    Parameter("strip_metadata", ("sm",), boolean, _BOOLEAN),
    Parameter(
        "watermark",
        ("wm",),
        watermark_readers.watermark,
        "an image id of this environment, then optionally :gravity:x:y" + _OBJECT,
    ),
    Parameter(
        "watermark_position",
        ("watermark_offset", "wmp"),
        watermark_readers.watermark_position,
        "gravity[:x[:y[:opacity[:blend]]]]" + _OBJECT,
    ),
    Parameter(
        "watermark_rotate",
        ("wm_rot", "wmr"),
        geometry_readers.rotate,
        "an angle in degrees, optionally :background colour" + _OBJECT,
    ),
    Parameter(
        "watermark_shadow",
        ("wmsh",),
        watermark_readers.watermark_shadow,
        "true, false, or hexColor[:blur[:x[:y]]]" + _OBJECT,
    ),
    Parameter(
        "watermark_size",
        ("wms",),
        watermark_readers.watermark_size,
        "width[:height[:scale]]" + _OBJECT,
    ),
    Parameter(
        "watermark_text",
        ("wmt",),
        watermark_readers.watermark_text,
        "the text itself, or a JSON object: text, font, size, color, align, and a position "
        "and size as watermark_position and watermark_size take them",
        # The official builders send texts of up to 2048 characters, JSON around them.
        max_length=8192,
    ),
    Parameter(
        "watermark_url",
        ("wmu",),
        watermark_readers.watermark_url,
        "an https URL in URL-safe base64 (padding optional)",
    ),
    Parameter("width", ("w",), geometry_readers.size, _SIZE),
    Parameter(
        "zoom",
        ("z",),
        geometry_readers.zoom,
        "a factor clamped to 1..100, optionally :gravity[:x:y]",
    ),
)

PARAMETERS: Final[Mapping[str, Parameter]] = MappingProxyType(
    {parameter.name: parameter for parameter in _TABLE}
)
"""Every supported parameter by canonical name."""

SPELLINGS: Final[Mapping[str, Parameter]] = MappingProxyType(
    {
        spelling: parameter
        for parameter in _TABLE
        for spelling in (parameter.name, *parameter.aliases)
    }
)
"""Every accepted name and alias, to its parameter."""
