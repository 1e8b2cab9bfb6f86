"""``render``: one stored image and a ``Transformation`` to encoded bytes, on libvips.

Synchronous and blocking: call it from a worker thread. It keeps no state between calls, so
any number of threads may render at once. The steps (see docs/transformations.md):

1. read the header only and refuse sources over the pixel limit before any pixel is decoded;
2. plan the geometry from the source's size (``planning.plan``) and, given a budget, refuse a
   render whose output or cost is over it (``cost.estimate``), still before decoding;
3. load at the planned size: shrink-on-load via ``thumbnail`` when nothing must happen first,
   otherwise load upright, cut the source region and zoom, then resize;
4. per frame: turns and flips, crops, any-angle rotation, colour operations, canvases;
   then the watermark (``watermark.stamp``);
5. flatten transparency the output cannot carry, convert the colour profile, encode.

Given a ``RenderControl``, the loaded source is watched, so libvips stops computing as soon as
the render is cancelled or past its time budget, and the render raises the control's error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from imgwired.errors import InvalidTransformationError, TransformationTooLargeError
from imgwired.imaging import vips
from imgwired.media_types import SupportedMimeType
from imgwired.transform import geometry, planning, watermark
from imgwired.transform.control import RenderControl
from imgwired.transform.cost import RenderBudget, SourceShape, estimate
from imgwired.transform.effects import apply_effects
from imgwired.transform.encode import ALPHA_FORMATS, ANIMATED_FORMATS, encode
from imgwired.transform.grammar.params import Transformation
from imgwired.transform.grammar.values import (
    Anchor,
    ColorProfile,
    Extend,
    ExtendToSize,
    Kernel,
    OutputFormat,
    Rgba,
)

# Originals whose own format every browser shows and every render keeps: they stay in it.
_KEPT_FAMILIES: Final = frozenset(
    {SupportedMimeType.JPEG, SupportedMimeType.PNG, SupportedMimeType.GIF}
)
_WHITE: Final[Rgba] = (255, 255, 255, 255)


@dataclass(frozen=True, slots=True)
class Rendered:
    data: bytes
    """The encoded output."""
    format: OutputFormat
    """The actual output format."""
    width: int
    height: int
    """Of one frame, for animations."""


@dataclass(frozen=True, slots=True)
class _Source:
    width: int
    """Upright: after the EXIF orientation."""
    height: int
    pages: int
    orientation: int
    has_alpha: bool
    has_profile: bool


def is_animated_capable(output: OutputFormat) -> bool:
    """Whether ``output`` can hold every frame of an animation (GIF and WebP)."""
    return output in ANIMATED_FORMATS


def output_family(
    source_type: SupportedMimeType, has_alpha: bool, *, animated: bool = False
) -> OutputFormat:
    """The output when no format is asked: the original's, or one every browser shows.

    JPEG, PNG and GIF stay themselves. Other sources become PNG when the result has alpha and
    JPEG otherwise, except animated WebP, which becomes GIF so it stays animated.
    """
    family = OutputFormat.of_media_type(source_type) if source_type in _KEPT_FAMILIES else None
    if family is not None:
        return family
    if animated:
        return OutputFormat.GIF
    return OutputFormat.PNG if has_alpha else OutputFormat.JPEG


def render(
    path: Path,
    source_type: SupportedMimeType,
    transformation: Transformation,
    output: OutputFormat | None,
    *,
    max_pixels: int,
    max_dimension: int = planning.MAX_DIMENSION,
    mark_file: watermark.MarkFile | None = None,
    budget: RenderBudget | None = None,
    control: RenderControl | None = None,
) -> Rendered:
    """The image at ``path`` (of ``source_type``) transformed and encoded as ``output``.

    ``output=None`` means the original's family (``output_family``). Raises
    ``TransformationTooLargeError`` for a source over ``max_pixels`` (width x height x frames,
    checked before decoding) or an output over ``max_dimension`` a side that explicit
    parameters demand, ``RenderBudgetExceededError`` for a render over ``budget`` (before
    decoding), the error of ``control`` when it stopped the render, and
    ``InvalidTransformationError`` for what cannot apply to this image.
    ``mark_file`` is the watermark's image when ``transformation`` names one by id or URL.
    """
    vips.configure_libvips()
    try:
        return _render(
            path,
            source_type,
            transformation,
            output,
            max_pixels,
            max_dimension,
            mark_file,
            budget,
            control,
        )
    # A stopped load of the watermark's image reports itself as an unreadable watermark.
    except (vips.pyvips().Error, InvalidTransformationError) as error:
        stopped = control.error() if control is not None else None
        if stopped is None:
            raise
        raise stopped from error
    finally:
        if control is not None:
            control.release()


def _render(
    path: Path,
    source_type: SupportedMimeType,
    t: Transformation,
    output: OutputFormat | None,
    max_pixels: int,
    max_dimension: int,
    mark_file: watermark.MarkFile | None,
    budget: RenderBudget | None,
    control: RenderControl | None,
) -> Rendered:
    loader = _loader(source_type)
    source = _inspect(path, loader, max_pixels)
    expected = output or output_family(source_type, source.has_alpha, animated=True)
    animated = source.pages > 1 and is_animated_capable(expected)
    plan = planning.plan((source.width, source.height), t, max_dimension=max_dimension)
    if budget is not None:
        shape = SourceShape(source_type, source.width, source.height, source.pages)
        budget.check(estimate(shape, t, expected, max_dimension=max_dimension))
    watch: Callable[[Any], Any] = control.watch if control is not None else _unwatched
    image = _load(path, loader, source, plan, t, animated=animated, watch=watch)
    if _needs_random_access(plan, t):
        # A copy in memory starts a new pipeline: libvips cuts its progress link to the source.
        image = watch(image.copy_memory())
    parts = geometry.frames(image) if animated else [image]
    parts = [_finish(part, plan, t, max_dimension, animated=animated) for part in parts]
    parts = watermark.stamp(
        parts, t, mark_file, max_pixels=max_pixels, max_dimension=max_dimension, watch=watch
    )
    resolved = output or output_family(source_type, parts[0].hasalpha(), animated=animated)
    keeps_alpha = resolved in ALPHA_FORMATS and t.color_profile is not ColorProfile.CMYK
    parts = [_flatten(part, t, keeps_alpha=keeps_alpha) for part in parts]
    result = geometry.join_frames(parts, image) if animated else parts[0]
    if control is not None:
        control.check()  # some encoders end in a step libvips cannot stop: do not start it late
    data = encode(result, resolved, t)
    return Rendered(data=data, format=resolved, width=result.width, height=parts[0].height)


def _unwatched(image: Any) -> Any:
    return image


def _loader(source_type: SupportedMimeType) -> vips.Loader:
    loader = vips.LOADERS[source_type]
    if not loader.trusted or not vips.is_available(loader):
        raise InvalidTransformationError(
            f"{source_type.value} images cannot be transformed by this server"
        )
    return loader


def _inspect(path: Path, loader: vips.Loader, max_pixels: int) -> _Source:
    """The source's size and traits from its header; nothing is decoded."""
    animated_loader = loader.nickname in vips.ANIMATED_LOADERS
    options = {"n": -1} if animated_loader else {}
    header = geometry.open_source(loader, path, sequential=True, **options)
    fields = header.get_fields()
    frame_height = geometry.frame_height(header)
    pages = max(1, header.height // frame_height) if animated_loader else 1
    if header.width * frame_height * pages > max_pixels:
        raise TransformationTooLargeError(
            f"The source image is {header.width}x{frame_height} pixels"
            + (f" in {pages} frames" if pages > 1 else "")
            + f", over the limit of {max_pixels} pixels that are transformed"
        )
    orientation = int(header.get("orientation")) if "orientation" in fields else 1
    orientation = orientation if 1 <= orientation <= 8 else 1
    width, height = header.width, frame_height
    if orientation >= 5:  # 5 to 8 turn the image a quarter: width and height swap
        width, height = height, width
    return _Source(
        width=int(width),
        height=int(height),
        pages=int(pages),
        orientation=orientation,
        has_alpha=bool(header.hasalpha()),
        has_profile="icc-profile-data" in fields,
    )


def _load(
    path: Path,
    loader: vips.Loader,
    source: _Source,
    plan: planning.Plan,
    t: Transformation,
    *,
    animated: bool,
    watch: Callable[[Any], Any],
) -> Any:
    """The upright source, cut and resized to ``plan.resized`` (before the quarter turns).

    ``watch`` sees the first image of the pipeline, so every later computation reports to it.
    """
    to_srgb = source.has_profile and t.color_profile is not ColorProfile.KEEP
    if plan.region is None and plan.zoom is None and t.resizing_algorithm is Kernel.LANCZOS3:
        # The fast path: shrink-on-load, orientation and profile in one streaming pass.
        size = plan.resized_before_turns
        return watch(geometry.thumbnail(path, size, pages=animated, to_srgb=to_srgb))
    zoom_gravity = (plan.zoom.gravity if plan.zoom else None) or t.gravity
    # Looking for the interesting part reads the image twice; so does turning it upright.
    # Animations never look: each frame would find another place.
    looks = (plan.zoom is not None and zoom_gravity.is_smart) or (
        plan.region is not None and plan.region.look is not None
    )
    sequential = source.orientation == 1 and not (looks and not animated)
    options = {"n": -1} if animated else {}
    image = watch(geometry.open_source(loader, path, sequential=sequential, **options))
    if animated:
        parts = [
            geometry.resize_region(part, plan, t.gravity, t.resizing_algorithm, look=False)
            for part in geometry.frames(image)
        ]
        image = geometry.join_frames(parts, image)
    else:
        image = geometry.resize_region(
            image.autorot(), plan, t.gravity, t.resizing_algorithm, look=True
        )
    if image.interpretation == "cmyk":
        # As thumbnail does: CMYK is always turned into RGB, whatever color_profile says.
        image = image.icc_transform("srgb", embedded=True, input_profile="cmyk")
    elif to_srgb:
        image = image.icc_transform("srgb", embedded=True)
    return image


def _needs_random_access(plan: planning.Plan, t: Transformation) -> bool:
    """Whether some step reads the image out of order or twice: then it is held in memory."""
    cuts_smartly = (plan.cover is not None and t.gravity.is_smart) or (
        t.crop is not None and not t.crop.of_source and (t.crop.gravity or t.gravity).is_smart
    )
    return bool(
        plan.quarter_turns
        or plan.residual_angle
        or (t.flip and t.flip.vertical)
        or t.normalize
        or t.pixelate
        or cuts_smartly
    )


def _finish(
    image: Any, plan: planning.Plan, t: Transformation, max_dimension: int, *, animated: bool
) -> Any:
    """One frame through every step after resizing, up to (not including) the flatten."""
    # Each frame would find another "interesting" region: an animation uses the centre.
    gravity = t.gravity.compass() if animated else t.gravity
    fill = _fill(t)
    image = geometry.turn_and_flip(image, plan.quarter_turns, t.flip)
    if plan.cover is not None:
        image = geometry.cut(image, plan.cover, gravity, dpr=t.dpr)
    if t.crop is not None and not t.crop.of_source:
        crop_gravity = t.crop.gravity or t.gravity
        crop_gravity = crop_gravity.compass() if animated else crop_gravity
        image = geometry.crop_resized(image, t.crop.width, t.crop.height, t.dpr, crop_gravity)
    if plan.residual_angle:
        background = (t.rotate.background if t.rotate else None) or fill
        image = geometry.rotate_by(image, plan.residual_angle, background, max_dimension)
    image = apply_effects(image, t)
    if plan.canvas is not None:
        image = _on_canvas(image, plan.canvas, t, gravity, fill, max_dimension)
    if t.extend_aspect_ratio is not None:
        # No ratio (extend_aspect_ratio=true) is the requested box's, when there is one.
        ratio = t.extend_aspect_ratio.ratio or planning.box_ratio(plan, t)
        if ratio is not None:
            ratio_gravity = t.extend_aspect_ratio.gravity or gravity
            image = geometry.to_aspect_ratio(
                image, ratio, ratio_gravity, fill, max_dimension, dpr=t.dpr
            )
    if isinstance(t.extend, Extend):
        sides = planning.scaled_sides(t.extend.sides, t.dpr)
        image = geometry.add_sides(
            image, sides, t.extend.background or fill, max_dimension, "extend"
        )
    if t.padding is not None:
        sides = planning.scaled_sides(t.padding.sides, t.dpr)
        padding_fill = t.padding.background or fill
        image = geometry.add_sides(image, sides, padding_fill, max_dimension, "padding")
    return image


def _on_canvas(
    image: Any,
    canvas: planning.Size,
    t: Transformation,
    gravity: Anchor,
    fill: Rgba,
    max_dimension: int,
) -> Any:
    """The picture on the ``contain`` or ``extend=true`` canvas; extend's gravity wins."""
    if isinstance(t.extend, ExtendToSize):
        gravity = t.extend.gravity or gravity
        what = "extend"
    else:
        what = "resizing_type=contain"
    return geometry.place_on_canvas(image, canvas, gravity, fill, max_dimension, what, dpr=t.dpr)


def _fill(t: Transformation) -> Rgba:
    """What padding, canvases and rotation corners are filled with: the background, or clear."""
    if t.background is None and t.background_alpha is None:
        return geometry.TRANSPARENT
    red, green, blue, alpha = t.background or _WHITE
    if t.background_alpha is not None:
        alpha = round(t.background_alpha * 255)
    return red, green, blue, alpha


def _flatten(image: Any, t: Transformation, *, keeps_alpha: bool) -> Any:
    """Transparency laid on the background: always when the output cannot carry alpha, and
    when a background is asked for (a translucent one leaves a translucent result)."""
    if not image.hasalpha():
        return image
    asked = t.background is not None or t.background_alpha is not None
    if keeps_alpha and not asked:
        return image
    fill = _fill(t) if asked else _WHITE
    if not keeps_alpha or fill[3] == 255:
        image, values = geometry.fill_values(image, (*fill[:3], 255))
        return image.flatten(background=values[:-1]).cast(image.format)
    image, values = geometry.fill_values(image, fill)
    layer = image.new_from_image(values)
    return layer.composite2(image, "over").cast(image.format)
