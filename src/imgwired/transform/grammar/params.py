"""The CDN query parameters, parsed into one normalised, hashable ``Transformation``.

``parse_transformations`` is total: whatever the query holds, it returns a ``Transformation``
or raises ``InvalidTransformationError`` naming the parameter, what was given and what is
accepted. Equivalent spellings (aliases, ``800.0`` for ``800``, ``#f00`` for ``255:0:0``, a
value that asks for the default) give equal transformations and equal ``canonical()`` strings.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any, Final

from imgwired.errors import InvalidTransformationError
from imgwired.transform.grammar import watermark_readers
from imgwired.transform.grammar.parsers import PARAMETERS, SPELLINGS, Parameter
from imgwired.transform.grammar.scalars import BadValue
from imgwired.transform.grammar.values import (
    CENTRE,
    Adjust,
    Anchor,
    AspectRatio,
    ChromaSubsampling,
    ColorProfile,
    Contrast,
    Crop,
    Duotone,
    Extend,
    ExtendToSize,
    Flip,
    Gradient,
    Kernel,
    Length,
    Negate,
    Normalize,
    OutputFormat,
    Padding,
    ResizingType,
    Rgba,
    Rotate,
    Sharpen,
    Zoom,
    canonical_value,
)
from imgwired.transform.grammar.watermark_values import (
    WatermarkImage,
    WatermarkPosition,
    WatermarkShadow,
    WatermarkSize,
    WatermarkText,
)

__all__ = [
    "PRESETS",
    "OutputFormat",
    "Transformation",
    "parse_transformations",
]

_SHOWN: Final = 100

PRESETS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "thumbnail": MappingProxyType({"width": "150", "height": "150", "resizing_type": "cover"}),
        "small": MappingProxyType({"width": "320", "resizing_type": "inside", "enlarge": "false"}),
        "medium": MappingProxyType({"width": "640", "resizing_type": "inside", "enlarge": "false"}),
        "large": MappingProxyType({"width": "1280", "resizing_type": "inside", "enlarge": "false"}),
    }
)
"""The ``@preset`` sizes, as canonical parameter values that explicit parameters override."""


@dataclass(frozen=True, slots=True)
class Transformation:
    """Every parameter of one request, normalised; a field at its default was not asked for."""

    adjust: Adjust | None = None
    background: Rgba | None = None
    background_alpha: float | None = None
    blur: float | None = None
    brightness: float = 1.0
    chroma_subsampling: ChromaSubsampling | None = None
    color_profile: ColorProfile = ColorProfile.SRGB
    colorize: Rgba | None = None
    contrast: Contrast | None = None
    crop: Crop | None = None
    dpi: int | None = None
    dpr: float = 1.0
    duotone: Duotone | None = None
    enlarge: bool = False
    extend: Extend | ExtendToSize | None = None
    extend_aspect_ratio: AspectRatio | None = None
    flip: Flip | None = None
    format: OutputFormat | None = None
    """The explicit output format; None means auto, negotiated by the caller."""
    gradient: Gradient | None = None
    gravity: Anchor = CENTRE
    height: Length | None = None
    hue: float = 0.0
    keep_copyright: bool = False
    lightness: float = 1.0
    min_height: Length | None = None
    min_width: Length | None = None
    monochrome: bool | Rgba = False
    negate: Negate | None = None
    normalize: Normalize | None = None
    padding: Padding | None = None
    pixelate: int | None = None
    progressive: bool | None = None
    quality: int | None = None
    resizing_algorithm: Kernel = Kernel.LANCZOS3
    resizing_type: ResizingType = ResizingType.INSIDE
    rotate: Rotate | None = None
    saturation: float = 1.0
    sharpen: Sharpen | None = None
    strip_color_profile: bool | None = None
    """None: strip for srgb/rgb16 output, keep for keep and cmyk."""
    strip_metadata: bool = True
    watermark: WatermarkImage | None = None
    watermark_position: WatermarkPosition | None = None
    watermark_rotate: Rotate | None = None
    watermark_shadow: WatermarkShadow | None = None
    watermark_size: WatermarkSize | None = None
    watermark_text: WatermarkText | None = None
    watermark_url: str | None = None
    """The watermark's URL as it is fetched (decoded from base64, normalised)."""
    width: Length | None = None
    zoom: Zoom | None = None

    def canonical(self) -> str:
        """``name=value`` pairs of every parameter not at its default, sorted, ``&``-joined.

        Names are canonical, values normalised; ``format`` is left out (the caller adds the
        resolved output format to its cache key). Empty when nothing is asked.
        """
        pairs = sorted(
            f"{PARAMETERS_BY_FIELD[name].name}={canonical_value(value)}"
            for name, value in self._asked().items()
            if name != "format"
        )
        return "&".join(pairs)

    @property
    def is_identity(self) -> bool:
        """Whether nothing but (perhaps) a format is asked, so the original could be served."""
        return not any(name != "format" for name in self._asked())

    def _asked(self) -> dict[str, Any]:
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if getattr(self, field.name) != field.default
        }


PARAMETERS_BY_FIELD: Final[Mapping[str, Parameter]] = MappingProxyType(
    {parameter.field: parameter for parameter in PARAMETERS.values()}
)


def parse_transformations(
    query: Sequence[tuple[str, str]], preset: str | None = None
) -> Transformation:
    """The transformation a CDN URL's query (and ``@preset``) asks for.

    ``query`` is the raw items in order. Each parameter may appear once, under its name or one
    alias; explicit parameters override the preset's. Raises ``InvalidTransformationError``.
    """
    values: dict[str, Any] = {}
    if preset is not None:
        values.update(_preset_values(preset))
    seen: dict[str, str] = {}
    # No count limit is needed: past the ~40 parameters, an item is a repeat or unknown.
    for spelling, text in query:
        parameter = _parameter(spelling)
        earlier = seen.get(parameter.name)
        if earlier is not None:
            raise InvalidTransformationError(
                f"{parameter.name} is given twice, as {_shown(earlier)} and as "
                f"{_shown(spelling)}: give each parameter once, by its name or one alias"
            )
        seen[parameter.name] = spelling
        values[parameter.field] = _read(parameter, spelling, text)
    watermark_readers.settle(values)
    return _settled(Transformation(**values))


def _preset_values(preset: str) -> dict[str, Any]:
    base = PRESETS.get(preset)
    if base is None:
        raise InvalidTransformationError(
            f"Unknown preset {_shown(preset)}: presets are {', '.join(PRESETS)}"
        )
    return {
        PARAMETERS[name].field: _read(PARAMETERS[name], name, text) for name, text in base.items()
    }


def _parameter(spelling: str) -> Parameter:
    parameter = SPELLINGS.get(spelling)
    if parameter is not None:
        return parameter
    detail = f"Unknown transformation parameter {_shown(spelling)}"
    close = difflib.get_close_matches(spelling[:_SHOWN].lower(), list(SPELLINGS), n=1, cutoff=0.75)
    if close:
        detail += f"; did you mean {close[0]!r} ({SPELLINGS[close[0]].name})?"
    raise InvalidTransformationError(detail)


def _read(parameter: Parameter, spelling: str, text: str) -> object:
    named = parameter.name if spelling == parameter.name else f"{parameter.name} ({spelling!r})"
    if not text:
        raise InvalidTransformationError(f"{named} needs a value; accepted: {parameter.accepts}")
    if len(text) > parameter.max_length:
        raise InvalidTransformationError(
            f"The value of {named} is too long ({len(text)} characters, at most "
            f"{parameter.max_length})"
        )
    try:
        return parameter.read(text)
    except BadValue as error:
        reason = str(error)
    # A reader that trips over input it did not foresee still answers 400, never 500.
    except (ValueError, ArithmeticError, LookupError, TypeError, RecursionError):
        reason = "not understood"
    raise InvalidTransformationError(
        f"Invalid value {_shown(text)} for {named}: {reason}. Accepted: {parameter.accepts}."
    )


def _settled(transformation: Transformation) -> Transformation:
    """``transformation`` with the format CMYK implies, once its parameters agree."""
    profile = transformation.color_profile
    if profile is ColorProfile.CMYK and transformation.format is None:
        # No format (or auto): JPEG, the one format that carries CMYK in every viewer.
        transformation = replace(transformation, format=OutputFormat.JPEG)
    if profile is ColorProfile.CMYK and transformation.format not in (
        OutputFormat.JPEG,
        OutputFormat.TIFF,
    ):
        raise InvalidTransformationError(
            "color_profile=cmyk needs format=jpeg or format=tiff (or no format, which is "
            "jpeg): no other format carries CMYK"
        )
    if profile is ColorProfile.KEEP and transformation.strip_color_profile:
        raise InvalidTransformationError(
            "color_profile=keep keeps the embedded profile and strip_color_profile=true removes "
            "it: give one of them"
        )
    return transformation


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut to about 100 characters."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")
