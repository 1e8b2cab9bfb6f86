"""What a render will cost, known before any pixel is decoded, and the budget that refuses it.

Pure arithmetic on the source's size and the planned geometry (``planning``), no libvips. The
cost is in units of about a millisecond of one core: decoding the source, resampling and
effects per megapixel worked on, and the encoder per megapixel written. The factors were
measured with libvips 8.18 on one core of a 2-core x86 VM and rounded toward the slow end
(docs/transformations.md has the table); they rank renders and stop the absurd ones, they do
not predict to the millisecond.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from imgwired.errors import RenderBudgetExceededError, TransformationTooLargeError
from imgwired.media_types import SupportedMimeType
from imgwired.transform import planning
from imgwired.transform.encode import ANIMATED_FORMATS
from imgwired.transform.grammar.params import Transformation
from imgwired.transform.grammar.values import OutputFormat

DECODE_COST: Final[Mapping[SupportedMimeType, float]] = MappingProxyType(
    {
        SupportedMimeType.JPEG: 15,
        SupportedMimeType.PNG: 20,
        SupportedMimeType.WEBP: 25,
        SupportedMimeType.GIF: 20,
        SupportedMimeType.TIFF: 15,
        SupportedMimeType.AVIF: 50,
        SupportedMimeType.HEIC: 50,
        SupportedMimeType.JXL: 50,
        SupportedMimeType.BMP: 25,
        SupportedMimeType.ICO: 25,
    }
)
"""Units per megapixel of source decoded (shrink-on-load saves little: entropy decoding rules)."""

ENCODE_COST: Final[Mapping[OutputFormat, float]] = MappingProxyType(
    {
        OutputFormat.JPEG: 40,
        OutputFormat.PNG: 60,
        OutputFormat.WEBP: 150,
        OutputFormat.AVIF: 300,
        OutputFormat.GIF: 1000,
        OutputFormat.TIFF: 60,
    }
)
"""Units per megapixel of output, with the encoder settings of ``encode``. Encoding time
depends on the picture (noise takes 5-10x longer than a photo): these sit at the slow end of
photographs, since AVIF and GIF end in a step that cannot be stopped."""

RESAMPLE_COST: Final = 30.0
"""Units per megapixel worked on: resampling, compositing, colour conversion."""

_COLOUR_COST: Final = 50.0  # any LCh, tint or tone operation: a round trip through Lab
_SHARPEN_COST: Final = 100.0
_NORMALIZE_COST: Final = 30.0
_PIXELATE_COST: Final = 10.0
_SMART_COST: Final = 15.0  # attention / entropy look at every pixel of the resized image
_ROTATE_COST: Final = 20.0
_BLUR_BASE_COST: Final = 5.0  # plus one unit per unit of sigma: the mask grows with it


@dataclass(frozen=True, slots=True)
class SourceShape:
    """What the database knows of a source without reading it."""

    type: SupportedMimeType
    width: int
    """Upright: after the EXIF orientation."""
    height: int
    pages: int = 1


@dataclass(frozen=True, slots=True)
class RenderEstimate:
    """The output a render will make and its cost, before it runs."""

    source: SourceShape
    output: OutputFormat
    width: int
    height: int
    """Of one frame."""
    frames: int
    cost: int

    @property
    def output_pixels(self) -> int:
        return self.width * self.height * self.frames


def estimate(
    source: SourceShape,
    transformation: Transformation,
    output: OutputFormat,
    *,
    max_dimension: int = planning.MAX_DIMENSION,
) -> RenderEstimate:
    """The output size and cost of rendering ``source`` with ``transformation`` as ``output``.

    Raises what ``planning.plan`` raises for parameters no render could satisfy.
    """
    t = transformation
    animated = source.pages > 1 and output in ANIMATED_FORMATS
    frames = source.pages if animated else 1
    plan = planning.plan((source.width, source.height), t, max_dimension=max_dimension)
    width, height = planning.output_size(plan, t)
    written = width * height * frames / 1e6
    worked = max(width * height, plan.resized[0] * plan.resized[1]) * frames / 1e6
    decoded = source.width * source.height * frames / 1e6
    # A watermark is blended onto every frame, and the mark made once, at most a frame's size.
    # Its image's decoding is left out: its size is unknown until its file is read.
    has_mark = bool(t.watermark or t.watermark_url or t.watermark_text)
    stamped = (written + width * height / 1e6) if has_mark else 0.0
    cost = (
        decoded * DECODE_COST[source.type]
        + worked * (RESAMPLE_COST + _effects_cost(t, plan))
        + written * ENCODE_COST[output]
        + stamped * RESAMPLE_COST
    )
    return RenderEstimate(source, output, width, height, frames, math.ceil(cost))


def _effects_cost(t: Transformation, plan: planning.Plan) -> float:
    """Units per megapixel worked on for the colour operations and filters asked for."""
    colour = (
        t.adjust,
        t.brightness != 1.0,
        t.contrast,
        t.lightness != 1.0,
        t.saturation != 1.0,
        t.hue,
        t.colorize,
        t.monochrome is not False,
        t.duotone,
        t.gradient,
        t.negate,
    )
    crop_gravity = (t.crop.gravity or t.gravity) if t.crop is not None else None
    smart = (plan.cover is not None and t.gravity.is_smart) or (
        crop_gravity is not None and crop_gravity.is_smart
    )
    smart = smart or (t.zoom is not None and (t.zoom.gravity or t.gravity).is_smart)
    smart = smart or (plan.region is not None and plan.region.look is not None)
    return (
        (_COLOUR_COST if any(colour) else 0.0)
        + (_BLUR_BASE_COST + t.blur if t.blur else 0.0)
        + (_SHARPEN_COST if t.sharpen else 0.0)
        + (_NORMALIZE_COST if t.normalize else 0.0)
        + (_PIXELATE_COST if t.pixelate else 0.0)
        + (_SMART_COST if smart else 0.0)
        + (_ROTATE_COST if plan.residual_angle else 0.0)
    )


@dataclass(frozen=True, slots=True)
class RenderBudget:
    """The configured limits a render must fit, checked on an estimate before anything runs."""

    max_output_pixels: int
    max_cost: int
    cheap_cost: int
    max_dimension: int = planning.MAX_DIMENSION

    def check(self, estimate: RenderEstimate) -> None:
        """Raise ``RenderBudgetExceededError`` (or, for a side over the limit,
        ``TransformationTooLargeError``) naming the limit and the value; else nothing."""
        e = estimate
        if e.width > self.max_dimension or e.height > self.max_dimension:
            raise TransformationTooLargeError(
                f"The output would be {e.width}x{e.height} pixels; at most "
                f"{self.max_dimension} pixels a side are rendered"
            )
        if e.output_pixels > self.max_output_pixels:
            frames = f" in {e.frames} frames" if e.frames > 1 else ""
            raise RenderBudgetExceededError(
                f"The output would be {e.width}x{e.height} pixels{frames}, "
                f"{e.output_pixels:,} in all, over the limit of {self.max_output_pixels:,} "
                "output pixels (IMGWIRED_MAX_OUTPUT_PIXELS)",
                limit="IMGWIRED_MAX_OUTPUT_PIXELS",
            )
        if e.cost > self.max_cost:
            raise RenderBudgetExceededError(
                f"This render ({_describe(e)}) would cost about {e.cost:,} units, over the "
                f"limit of {self.max_cost:,} (IMGWIRED_MAX_RENDER_COST); a unit is about a "
                "millisecond of one core",
                limit="IMGWIRED_MAX_RENDER_COST",
            )

    def is_cheap(self, estimate: RenderEstimate) -> bool:
        """Whether the render goes to the cheap lane, which heavy renders never fill."""
        return estimate.cost <= self.cheap_cost


def _describe(e: RenderEstimate) -> str:
    frames = f" x {e.frames} frames" if e.frames > 1 else ""
    source = f"{e.source.width}x{e.source.height} {e.source.type.value.removeprefix('image/')}"
    return f"{e.width}x{e.height}{frames} {e.output.value} from a {source}"
