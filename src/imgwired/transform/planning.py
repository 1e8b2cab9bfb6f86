"""The geometry of a render, worked out from the source's size before any pixel is touched.

Pure arithmetic, no libvips: which region of the source is used, the size it is resized to,
the quarter turns, and the boxes later steps crop or pad to. Sizes are (width, height) in pixels
of the upright source (EXIF orientation applied).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from imgwired.errors import InvalidTransformationError, TransformationTooLargeError
from imgwired.transform.grammar.params import Transformation
from imgwired.transform.grammar.values import (
    Anchor,
    Crop,
    Extend,
    ExtendToSize,
    Gravity,
    Length,
    ResizingType,
    Share,
    Sides,
    Zoom,
    offset_pixels,
    pixels,
)

Size = tuple[int, int]

MAX_DIMENSION: Final = 8192
"""The contract's largest output side."""

_ANCHORS: Final = {
    Gravity.CENTER: (0.5, 0.5),
    Gravity.NORTH: (0.5, 0.0),
    Gravity.SOUTH: (0.5, 1.0),
    Gravity.EAST: (1.0, 0.5),
    Gravity.WEST: (0.0, 0.5),
    Gravity.NORTHEAST: (1.0, 0.0),
    Gravity.NORTHWEST: (0.0, 0.0),
    Gravity.SOUTHEAST: (1.0, 1.0),
    Gravity.SOUTHWEST: (0.0, 1.0),
}


@dataclass(frozen=True, slots=True)
class Region:
    """A rectangle inside an image: left, top, width, height.

    With ``look`` (a smart gravity), the renderer finds left and top by looking at the pixels;
    the ones given (the centre) serve where it cannot look, in animations.
    """

    left: int
    top: int
    width: int
    height: int
    look: Gravity | None = None

    @property
    def size(self) -> Size:
        return self.width, self.height


@dataclass(frozen=True, slots=True)
class Plan:
    """What the geometry steps do, in order (see ``docs/transformations.md``)."""

    source: Size
    region: Region | None
    """The ``crop=x:y:w:h`` region of the source, or None for all of it."""
    zoom: Zoom | None
    resized: Size
    """The size after resizing, in the frame after the quarter turns."""
    quarter_turns: int
    """Clockwise right-angle turns applied after resizing (the rest of ``rotate`` comes later)."""
    residual_angle: float
    cover: Size | None
    """``resizing_type=cover``: the box cut from the resized image, at ``gravity``."""
    canvas: Size | None
    """``resizing_type=contain`` or ``extend=true``: the box the image is laid on (by gravity)."""

    @property
    def resized_before_turns(self) -> Size:
        """The resized size in the frame before the quarter turns: what the resize makes."""
        width, height = self.resized
        return (height, width) if self.quarter_turns % 2 else (width, height)


def gravity_fractions(gravity: Gravity) -> tuple[float, float]:
    """Where ``gravity`` sits, as fractions of the width and height; smart ones at the centre."""
    return _ANCHORS.get(gravity, (0.5, 0.5))


def place(outer: Size, inner: Size, gravity: Gravity) -> tuple[int, int]:
    """The top-left of an ``inner`` box laid at ``gravity`` in (or around) ``outer``."""
    fx, fy = gravity_fractions(gravity)
    return rounded((outer[0] - inner[0]) * fx), rounded((outer[1] - inner[1]) * fy)


def moved_inward(
    left: float, top: float, gravity: Gravity, x: float, y: float
) -> tuple[float, float]:
    """``left``, ``top`` moved by offsets ``x``, ``y`` toward the inside of ``gravity``'s edges:
    left from an east edge, up from a south edge, else right and down (imgproxy's rule)."""
    fx, fy = gravity_fractions(gravity)
    return left + (-x if fx == 1.0 else x), top + (-y if fy == 1.0 else y)


def position(outer: Size, inner: Size, at: Anchor, *, dpr: float = 1.0) -> tuple[int, int]:
    """The top-left of an ``inner`` box at ``at`` in ``outer``: the gravity's spot, moved by
    the offsets (pixels times ``dpr``, shares of ``outer``'s sides), kept within ``outer``."""
    left, top = place(outer, inner, at.gravity)
    if not at.has_offsets:
        return left, top
    x, y = _offset(at.x, outer[0], dpr), _offset(at.y, outer[1], dpr)
    moved_left, moved_top = moved_inward(left, top, at.gravity, x, y)
    return (
        _within(int(moved_left), outer[0] - inner[0]),
        _within(int(moved_top), outer[1] - inner[1]),
    )


def _offset(length: Length, side: int, dpr: float) -> int:
    return offset_pixels(length, side) if isinstance(length, Share) else rounded(length * dpr)


def _within(start: int, room: int) -> int:
    """``start`` kept in ``0..room``; a box larger than its frame (``room`` < 0) stays put."""
    return start if room < 0 else min(max(start, 0), room)


def plan(source: Size, transformation: Transformation, *, max_dimension: int) -> Plan:
    """The geometry for ``transformation`` of an upright ``source`` of this size.

    Raises ``TransformationTooLargeError`` when explicit parameters ask for a side over
    ``max_dimension``, and ``InvalidTransformationError`` for a crop region outside the image.
    """
    t = transformation
    region = source_region(source, t.crop) if t.crop and t.crop.of_source else None
    used = region.size if region else source
    angle = t.rotate.angle if t.rotate else 0.0
    quarter_turns = int(angle // 90)
    turned = (used[1], used[0]) if quarter_turns % 2 else used
    resized, cover, canvas = _resize(turned, t, max_dimension)
    return Plan(
        source=source,
        region=region,
        zoom=t.zoom,
        resized=resized,
        quarter_turns=quarter_turns,
        residual_angle=angle - 90 * quarter_turns,
        cover=cover,
        canvas=canvas,
    )


def source_region(source: Size, crop: Crop) -> Region:
    """The ``x:y:width:height[:gravity]`` region, clipped to the source.

    Offsets count from the gravity's edge toward the inside (without gravity, from the top
    left); centre offsets move right and down. Shares are of the source's sides. A smart
    gravity leaves the place to the renderer (``Region.look``).
    """
    assert crop.x is not None and crop.y is not None
    gravity = crop.gravity.gravity if crop.gravity else Gravity.NORTHWEST
    width, height = pixels(crop.width, source[0]), pixels(crop.height, source[1])
    if gravity.is_smart:
        # Found by looking at the source, so always inside it: only its size is known now.
        box = (min(width, source[0]), min(height, source[1]))
        left, top = place(source, box, Gravity.CENTER)
        return Region(left, top, box[0], box[1], look=gravity)
    x, y = offset_pixels(crop.x, source[0]), offset_pixels(crop.y, source[1])
    moved = moved_inward(*place(source, (width, height), gravity), gravity, x, y)
    left, top = int(moved[0]), int(moved[1])
    right, bottom = min(source[0], left + width), min(source[1], top + height)
    left, top = max(0, left), max(0, top)
    if right <= left or bottom <= top:
        raise InvalidTransformationError(
            f"The crop region lies outside the {source[0]}x{source[1]} image"
        )
    return Region(left, top, right - left, bottom - top)


def rounded(value: float) -> int:
    """Half up, not Python's half to even: 38.5 pixels are 39."""
    return math.floor(value + 0.5)


def scaled(size: int, dpr: float) -> int:
    return max(1, rounded(size * dpr))


def crop_side(length: Length, side: int, dpr: float) -> int:
    """A side of ``crop=width:height``: a share of the resized picture's ``side`` (which ``dpr``
    has scaled), or pixels times ``dpr``."""
    return pixels(length, side) if isinstance(length, Share) else scaled(length, dpr)


def scaled_sides(sides: Sides, dpr: float) -> Sides:
    """Padding or extend sizes times ``dpr`` (0 stays 0)."""
    return Sides(
        *(rounded(side * dpr) for side in (sides.top, sides.right, sides.bottom, sides.left))
    )


def _resize(
    used: Size, t: Transformation, max_dimension: int
) -> tuple[Size, Size | None, Size | None]:
    box_w, box_h = _box(used, t.width, t.height, t.dpr)
    min_w, min_h = (side or 0 for side in _box(used, t.min_width, t.min_height, t.dpr))
    for name, value in (
        ("width", box_w),
        ("height", box_h),
        ("min-width", min_w),
        ("min-height", min_h),
    ):
        if value and value > max_dimension:
            raise TransformationTooLargeError(
                f"{name} x dpr asks for {value} pixels; at most {max_dimension} are rendered"
            )
    scale_x, scale_y = _scales(used, t, box_w, box_h)
    if not t.enlarge:
        scale_x, scale_y = min(scale_x, 1.0), min(scale_y, 1.0)
    # min-width and min-height are floors: they win over enlarge=false and the box.
    floor = max(min_w / used[0], min_h / used[1])
    if t.resizing_type is ResizingType.FILL:
        scale_x, scale_y = max(scale_x, min_w / used[0]), max(scale_y, min_h / used[1])
    else:
        scale_x = scale_y = max(scale_x, floor)
    resized = _fit(used, scale_x, scale_y, max_dimension)
    cover = None
    if t.resizing_type is ResizingType.COVER and box_w and box_h:
        cover = (min(box_w, resized[0]), min(box_h, resized[1]))
        cover = None if cover == resized else cover
    canvas = None
    extends = t.resizing_type is ResizingType.CONTAIN or isinstance(t.extend, ExtendToSize)
    if extends and (box_w or box_h):
        canvas = (max(box_w or resized[0], resized[0]), max(box_h or resized[1], resized[1]))
        canvas = None if canvas == resized else canvas
    return resized, cover, canvas


def _box(
    used: Size, width: Length | None, height: Length | None, dpr: float
) -> tuple[int | None, int | None]:
    """A requested width and height in pixels (shares are of ``used``), times ``dpr``."""
    return (
        scaled(pixels(width, used[0]), dpr) if width else None,
        scaled(pixels(height, used[1]), dpr) if height else None,
    )


def box_ratio(plan: Plan, t: Transformation) -> float | None:
    """Width / height of the requested box (``extend_aspect_ratio=true``), if both are given."""
    if not t.width or not t.height:
        return None
    used = plan.region.size if plan.region else plan.source
    turned = (used[1], used[0]) if plan.quarter_turns % 2 else used
    return pixels(t.width, turned[0]) / pixels(t.height, turned[1])


def _scales(
    used: Size, t: Transformation, box_w: int | None, box_h: int | None
) -> tuple[float, float]:
    """Horizontal and vertical scale before enlarge and the floors are applied."""
    width_scale = box_w / used[0] if box_w else None
    height_scale = box_h / used[1] if box_h else None
    if width_scale is None and height_scale is None:
        return t.dpr, t.dpr  # no box: dpr alone scales the image
    if width_scale is None or height_scale is None:
        only = width_scale or height_scale
        assert only is not None
        return only, only
    if t.resizing_type is ResizingType.FILL:
        return width_scale, height_scale
    if t.resizing_type in (ResizingType.COVER, ResizingType.OUTSIDE):
        both = max(width_scale, height_scale)
    else:
        both = min(width_scale, height_scale)
    return both, both


def _fit(used: Size, scale_x: float, scale_y: float, max_dimension: int) -> Size:
    """The resized size; a shrink that would still exceed ``max_dimension`` shrinks further."""
    width, height = max(1, rounded(used[0] * scale_x)), max(1, rounded(used[1] * scale_y))
    if width <= max_dimension and height <= max_dimension:
        return width, height
    if scale_x > 1.0 or scale_y > 1.0:
        raise TransformationTooLargeError(
            f"Enlarging to {width}x{height} exceeds {max_dimension} pixels a side"
        )
    # A large source with no size asked for (or a size on one side only) is scaled to fit.
    fit = min(max_dimension / width, max_dimension / height)
    return (
        min(max_dimension, max(1, math.floor(width * fit))),
        min(max_dimension, max(1, math.floor(height * fit))),
    )


def check_output(size: Size, max_dimension: int, what: str) -> None:
    """Refuse an explicit step (padding, extend, rotation...) that makes the image too large."""
    if size[0] > max_dimension or size[1] > max_dimension:
        raise TransformationTooLargeError(
            f"{what} makes the image {size[0]}x{size[1]}; at most {max_dimension} pixels a "
            "side are rendered"
        )


def output_size(plan: Plan, transformation: Transformation) -> Size:
    """The size of one output frame, as the steps after resizing will make it: the ``cover``
    cut, ``crop=width:height``, the rest of ``rotate``, the ``contain`` canvas,
    ``extend_aspect_ratio``, ``extend`` and ``padding``. Sides may exceed the limit here; the
    steps themselves refuse that."""
    t = transformation
    width, height = plan.cover or plan.resized
    if t.crop is not None and not t.crop.of_source:
        width = min(width, crop_side(t.crop.width, width, t.dpr))
        height = min(height, crop_side(t.crop.height, height, t.dpr))
    if plan.residual_angle:
        radians = math.radians(plan.residual_angle)
        cos, sin = abs(math.cos(radians)), abs(math.sin(radians))
        width, height = (
            rounded(width * cos + height * sin),
            rounded(width * sin + height * cos),
        )
    if plan.canvas is not None:
        width, height = max(width, plan.canvas[0]), max(height, plan.canvas[1])
    ratio = None
    if t.extend_aspect_ratio is not None:
        # No ratio (extend_aspect_ratio=true) is the requested box's; without one, nothing.
        ratio = t.extend_aspect_ratio.ratio or box_ratio(plan, t)
    if ratio is not None:
        if width / height < ratio:
            width = max(width, rounded(height * ratio))
        else:
            height = max(height, rounded(width / ratio))
    extend_sides = t.extend.sides if isinstance(t.extend, Extend) else None
    for sides in (extend_sides, t.padding.sides if t.padding else None):
        if sides is not None:
            added = scaled_sides(sides, t.dpr)
            width += added.left + added.right
            height += added.top + added.bottom
    return width, height
