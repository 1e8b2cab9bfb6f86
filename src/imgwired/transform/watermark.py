"""Watermarks on libvips: the mark is made once per render, then laid on every frame.

The steps, after every other geometry and colour step and before the background:

1. the mark: an image file (a stored image, or the fetched copy of a URL) loaded at its
   planned size with shrink-on-load, or a text drawn at its size;
2. ``watermark_size`` (planned by ``mark_size``, before any pixel is read);
3. ``watermark_rotate``: right angles exactly, any other angle with a grown, clear canvas;
4. ``watermark_position`` (into which a position given with the source is folded): gravity
   and offsets;
5. ``watermark_shadow``: the mark's shape, blurred, in the shadow's colour, under the mark;
6. opacity, then the blend mode onto the image, in 8-bit sRGB.

Only the part of the mark (and shadow) that falls on the image is ever drawn.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imgwired.errors import InvalidTransformationError, TransformationTooLargeError
from imgwired.imaging import vips
from imgwired.media_types import SupportedMimeType
from imgwired.transform import geometry
from imgwired.transform.effects import as_srgb8
from imgwired.transform.grammar.params import Transformation
from imgwired.transform.grammar.values import BlendMode, Rotate
from imgwired.transform.grammar.watermark_values import (
    Placement,
    WatermarkShadow,
    WatermarkSize,
    placement,
)
from imgwired.transform.planning import Size, moved_inward, place, rounded
from imgwired.transform.watermark_text import render_text


@dataclass(frozen=True, slots=True)
class MarkFile:
    """An image file to use as the watermark, of a type proven by its bytes."""

    path: Path
    mime_type: SupportedMimeType


@dataclass(frozen=True, slots=True)
class _Layer:
    """The mark (and its shadow), cut to the image, and where its top left goes."""

    pixels: Any
    left: int
    top: int
    blend: BlendMode


def _unwatched(image: Any) -> Any:
    return image


def has_watermark(t: Transformation) -> bool:
    """Whether ``t`` asks for a watermark (an image, a URL or a text)."""
    return bool(t.watermark or t.watermark_url or t.watermark_text)


def needs_file(t: Transformation) -> bool:
    """Whether the watermark is an image file the caller must hand to ``stamp``."""
    return bool(t.watermark or t.watermark_url)


def stamp(
    frames: list[Any],
    t: Transformation,
    mark_file: MarkFile | None,
    *,
    max_pixels: int,
    max_dimension: int,
    watch: Callable[[Any], Any] = _unwatched,
) -> list[Any]:
    """``frames`` (all of one size) with ``t``'s watermark on each; unchanged without one.

    ``watch`` (a ``RenderControl``'s) sees the first image of each of the mark's pipelines, so
    a stopped render stops while the mark is made too. Raises ``InvalidTransformationError``
    for a mark that cannot be read (or whose load was stopped) and
    ``TransformationTooLargeError`` for one over the pixel limit.
    """
    if not has_watermark(t):
        return frames
    base = (frames[0].width, frames[0].height)
    layer = _layer(
        t, mark_file, base, max_pixels=max_pixels, max_dimension=max_dimension, watch=watch
    )
    if layer is None:
        return frames  # placed wholly off the image
    return [_lay(frame, layer) for frame in frames]


def mark_size(
    natural: Size, base: Size, size: WatermarkSize | None, dpr: float, max_dimension: int
) -> Size:
    """The watermark's size: ``natural`` fitted into the box ``size`` asks for (enlarging if
    need be), at most ``max_dimension`` a side.

    ``scale`` above 0 makes the box that fraction of ``base``; otherwise a side below 1 is a
    fraction of ``base``'s, a side of 1 or more is pixels times ``dpr``, and 0 leaves it free.
    """
    factors: list[float] = []
    if size is not None and size.scale > 0:
        factors = [base[0] * size.scale / natural[0], base[1] * size.scale / natural[1]]
    elif size is not None:
        for wanted, whole, have in (
            (size.width, base[0], natural[0]),
            (size.height, base[1], natural[1]),
        ):
            if wanted > 0:
                factors.append(_length(wanted, whole, dpr) / have)
    factor = min(factors) if factors else 1.0
    width, height = natural[0] * factor, natural[1] * factor
    fit = min(1.0, max_dimension / width, max_dimension / height)
    return max(1, rounded(width * fit)), max(1, rounded(height * fit))


def mark_origin(base: Size, mark: Size, where: Placement, dpr: float) -> tuple[int, int]:
    """The top left of a ``mark`` on ``base`` at ``where``: the gravity's spot, then the
    offsets toward the inside (from the centre, right and down)."""
    x, y = rounded(_length(where.x, base[0], dpr)), rounded(_length(where.y, base[1], dpr))
    left, top = moved_inward(*place(base, mark, where.gravity), where.gravity, x, y)
    return int(left), int(top)


def _length(value: float, whole: int, dpr: float) -> float:
    """A size or offset: strictly between -1 and 1 a fraction of ``whole``, else pixels."""
    return value * whole if abs(value) < 1 else value * dpr


def _layer(
    t: Transformation,
    mark_file: MarkFile | None,
    base: Size,
    *,
    max_pixels: int,
    max_dimension: int,
    watch: Callable[[Any], Any],
) -> _Layer | None:
    mark = _mark(
        t, mark_file, base, max_pixels=max_pixels, max_dimension=max_dimension, watch=watch
    )
    mark = watch(mark)  # so the steps built on the mark (turn, shadow, cut) can be stopped
    if t.watermark_rotate is not None:
        mark = _rotated(mark, t.watermark_rotate, max_dimension)
    where = placement(t.watermark_position)
    left, top = mark_origin(base, (mark.width, mark.height), where, t.dpr)
    return _clipped_layer(mark, left, top, base, t.watermark_shadow, t.dpr, where)


def _mark(
    t: Transformation,
    mark_file: MarkFile | None,
    base: Size,
    *,
    max_pixels: int,
    max_dimension: int,
    watch: Callable[[Any], Any],
) -> Any:
    """The mark at its planned size, as 8-bit sRGB with alpha."""
    if t.watermark_text is not None:
        text = t.watermark_text
        drawn = render_text(text, scale=t.dpr, max_dimension=max_dimension)
        natural = (drawn.width, drawn.height)
        target = mark_size(natural, base, t.watermark_size, t.dpr, max_dimension)
        if target != natural:
            # Drawn again at the size it is shown, so the letters stay sharp, then fitted.
            scale = t.dpr * target[0] / natural[0]
            # Too large to draw at that size: the first drawing is scaled instead.
            with contextlib.suppress(TransformationTooLargeError):
                drawn = render_text(text, scale=scale, max_dimension=max_dimension)
            drawn = _resized(drawn, target)
        return drawn
    if mark_file is None:
        raise InvalidTransformationError("The watermark's image is not available")
    return _image_mark(
        mark_file, base, t, max_pixels=max_pixels, max_dimension=max_dimension, watch=watch
    )


def _image_mark(
    mark_file: MarkFile,
    base: Size,
    t: Transformation,
    *,
    max_pixels: int,
    max_dimension: int,
    watch: Callable[[Any], Any],
) -> Any:
    loader = vips.LOADERS[mark_file.mime_type]
    if not loader.trusted or not vips.is_available(loader):
        raise InvalidTransformationError(
            f"The watermark is a {mark_file.mime_type.value} image, which this server cannot read"
        )
    pyvips = vips.pyvips()
    try:
        header = geometry.open_source(loader, mark_file.path, sequential=True)
        fields = header.get_fields()
        width, height = int(header.width), geometry.frame_height(header)
        orientation = int(header.get("orientation")) if "orientation" in fields else 1
        if 5 <= orientation <= 8:  # a quarter turn: width and height swap once upright
            width, height = height, width
        if width * height > max_pixels:
            raise TransformationTooLargeError(
                f"The watermark image is {width}x{height} pixels, over the limit of "
                f"{max_pixels} pixels that are transformed"
            )
        target = mark_size((width, height), base, t.watermark_size, t.dpr, max_dimension)
        image = watch(
            geometry.thumbnail(
                mark_file.path, target, pages=False, to_srgb="icc-profile-data" in fields
            )
        )
        return _rgba(image).copy_memory()
    except pyvips.Error as error:
        raise InvalidTransformationError("The watermark image could not be read") from error


def _rgba(image: Any) -> Any:
    image = as_srgb8(image)
    if not image.hasalpha():
        image = image.bandjoin_const([255])
    return image.copy(interpretation="srgb")


def _resized(mark: Any, size: Size) -> Any:
    if (mark.width, mark.height) == size:
        return mark
    # Premultiplied, so the colour of clear pixels does not bleed into the edges.
    scaled = mark.premultiply().resize(size[0] / mark.width, vscale=size[1] / mark.height)
    scaled = scaled.unpremultiply().cast("uchar").copy(interpretation="srgb")
    width, height = min(scaled.width, size[0]), min(scaled.height, size[1])
    return scaled.extract_area(0, 0, width, height).embed(0, 0, size[0], size[1], extend="copy")


def _rotated(mark: Any, rotate: Rotate, max_dimension: int) -> Any:
    turns = int(rotate.angle // 90)
    rest = rotate.angle - 90 * turns
    if turns:
        mark = mark.rot(("d0", "d90", "d180", "d270")[turns])
    if rest:
        fill = rotate.background or geometry.TRANSPARENT
        turned = geometry.rotate_by(mark.premultiply(), rest, fill, max_dimension)
        mark = turned.unpremultiply().cast("uchar").copy(interpretation="srgb")
    return mark


def _clipped_layer(
    mark: Any,
    left: int,
    top: int,
    base: Size,
    shadow: WatermarkShadow | None,
    dpr: float,
    where: Placement,
) -> _Layer | None:
    """The mark over its shadow, cut to the part that falls on ``base``, at its opacity."""
    boxes = [(left, top, mark.width, mark.height)]
    if shadow is not None:
        sigma = shadow.blur * dpr
        margin = math.ceil(3 * sigma) if sigma > 0 else 0
        dx, dy = rounded(shadow.x * dpr), rounded(shadow.y * dpr)
        boxes.append(
            (
                left + dx - margin,
                top + dy - margin,
                mark.width + 2 * margin,
                mark.height + 2 * margin,
            )
        )
    x0, y0 = max(0, min(b[0] for b in boxes)), max(0, min(b[1] for b in boxes))
    x1 = min(base[0], max(b[0] + b[2] for b in boxes))
    y1 = min(base[1], max(b[1] + b[3] for b in boxes))
    if x1 <= x0 or y1 <= y0:
        return None
    width, height = x1 - x0, y1 - y0
    layer = mark.embed(left - x0, top - y0, width, height)  # clear around the mark
    if shadow is not None:
        # The shape is cut with a margin, so the blur near the cut sees what lies beyond it.
        shape = mark[3].embed(
            left + dx - x0 + margin, top + dy - y0 + margin, width + 2 * margin, height + 2 * margin
        )
        if sigma > 0:
            shape = shape.gaussblur(sigma)
        shape = shape.extract_area(margin, margin, width, height)
        red, green, blue, alpha = shadow.color
        coverage = (shape * (alpha / 255)).cast("uchar")
        shade = coverage.new_from_image([red, green, blue]).bandjoin(coverage)
        layer = shade.copy(interpretation="srgb").composite2(layer, "over").cast("uchar")
    if where.opacity < 1:
        layer = (layer * [1, 1, 1, where.opacity]).cast("uchar")
    return _Layer(layer.copy(interpretation="srgb").copy_memory(), x0, y0, where.blend)


def _lay(frame: Any, layer: _Layer) -> Any:
    """``layer`` blended onto one frame; a frame without alpha stays without."""
    base = as_srgb8(frame)
    had_alpha = base.hasalpha()
    blended = base.composite2(layer.pixels, layer.blend.value, x=layer.left, y=layer.top)
    blended = blended.cast("uchar")
    if not had_alpha:
        blended = blended.extract_band(0, n=base.bands)
    return blended.copy(interpretation="srgb")
