"""Loading at the planned size, and the steps that move pixels: turns, flips, crops, canvases.

Every function takes and returns a ``pyvips.Image`` (``Any``); a multi-frame animation is
handled one frame at a time by the caller, so here an image is always one frame, except in
``thumbnail``, whose shrink-on-load resizes every frame at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imgwired.imaging import vips
from imgwired.transform.grammar.values import (
    Anchor,
    Flip,
    Kernel,
    Length,
    Rgba,
    Sides,
    Zoom,
)
from imgwired.transform.planning import Plan, Size, check_output, crop_side, position, rounded

TRANSPARENT: Rgba = (0, 0, 0, 0)


def open_source(loader: vips.Loader, path: Path, *, sequential: bool, **options: Any) -> Any:
    """A lazy image of ``path`` read by ``loader`` alone, as ``vips.load`` but access chosen."""
    pyvips = vips.pyvips()
    source = pyvips.Source.new_from_file(str(path))
    operation = getattr(pyvips.Image, f"{loader.nickname}_source")
    access = "sequential" if sequential else "random"
    return operation(source, access=access, **options)


def thumbnail(path: Path, size: Size, *, pages: bool, to_srgb: bool) -> Any:
    """Shrink-on-load to exactly ``size`` (per frame), upright, in one streaming pass.

    libvips picks the loader among the unblocked ones, reads a reduced image straight from the
    file where the format allows (JPEG DCT scaling, WebP, HEIF thumbnails) and applies the EXIF
    orientation.
    """
    pyvips = vips.pyvips()
    source = pyvips.Source.new_from_file(str(path))
    options: dict[str, Any] = {"height": size[1], "size": "force"}
    if pages:
        options["option_string"] = "n=-1"
    if to_srgb:
        options["output_profile"] = "srgb"
    return pyvips.Image.thumbnail_source(source, size[0], **options)


def resize_region(image: Any, plan: Plan, gravity: Anchor, kernel: Kernel, *, look: bool) -> Any:
    """One upright frame cut to the plan's source region and zoom, then resized with ``kernel``.

    ``look`` says whether smart gravities may look at the pixels (not in animations, where
    each frame would find another place): otherwise they are the centre.
    """
    if plan.region is not None:
        region = plan.region
        if region.look is not None and look:
            image = cut(image, (region.width, region.height), Anchor(region.look))
        else:
            image = image.extract_area(region.left, region.top, region.width, region.height)
    if plan.zoom is not None:
        zoom_gravity = plan.zoom.gravity or gravity
        image = _zoom(image, plan.zoom, zoom_gravity if look else zoom_gravity.compass())
    target = plan.resized_before_turns
    if (image.width, image.height) == target:
        return image
    resized = image.resize(
        target[0] / image.width, vscale=target[1] / image.height, kernel=kernel.value
    )
    return _exactly(resized, target)


def _zoom(image: Any, zoom: Zoom, gravity: Anchor) -> Any:
    # Offsets count in pixels of the source, the picture the zoom cuts.
    size = (max(1, rounded(image.width / zoom.factor)), max(1, rounded(image.height / zoom.factor)))
    return cut(image, size, gravity)


def _exactly(image: Any, size: Size) -> Any:
    """``image`` at exactly ``size``: resize rounding may leave it a pixel off."""
    if (image.width, image.height) == size:
        return image
    width, height = min(image.width, size[0]), min(image.height, size[1])
    image = image.extract_area(0, 0, width, height)
    return image.embed(0, 0, size[0], size[1], extend="copy")


def turn_and_flip(image: Any, quarter_turns: int, flip: Flip | None) -> Any:
    """Clockwise right-angle turns (lossless), then mirroring."""
    if quarter_turns:
        image = image.rot(("d0", "d90", "d180", "d270")[quarter_turns])
    if flip is not None and flip.horizontal:
        image = image.fliphor()
    if flip is not None and flip.vertical:
        image = image.flipver()
    return image


def cut(image: Any, size: Size, at: Anchor, *, dpr: float = 1.0) -> Any:
    """A ``size`` box of ``image`` (clipped to it) at ``at``, moved by its offsets (pixels
    times ``dpr``) but never past the edges; smart gravities look."""
    width, height = min(size[0], image.width), min(size[1], image.height)
    if (width, height) == (image.width, image.height):
        return image
    if at.is_smart:
        return image.smartcrop(width, height, interesting=at.gravity.value)
    left, top = position((image.width, image.height), (width, height), at, dpr=dpr)
    return image.extract_area(left, top, width, height)


def crop_resized(image: Any, width: Length, height: Length, dpr: float, at: Anchor) -> Any:
    """``crop=width:height[:gravity[:x:y]]``: a box of the resized image, pixel sizes and
    offsets times ``dpr`` (a share is of the resized image's side, which ``dpr`` has scaled)."""
    box = (crop_side(width, image.width, dpr), crop_side(height, image.height, dpr))
    return cut(image, box, at, dpr=dpr)


def rotate_by(image: Any, angle: float, fill: Rgba, max_dimension: int) -> Any:
    """Clockwise by any angle; the canvas grows to hold the corners, filled with ``fill``."""
    image, background = fill_values(image, fill)
    rotated = image.rotate(angle, background=background)
    check_output((rotated.width, rotated.height), max_dimension, "rotate")
    return rotated


def place_on_canvas(
    image: Any,
    size: Size,
    at: Anchor,
    fill: Rgba,
    max_dimension: int,
    what: str,
    *,
    dpr: float = 1.0,
) -> Any:
    """``image`` laid at ``at`` on a ``size`` canvas of ``fill``, moved by its offsets (pixels
    times ``dpr``) but kept whole on the canvas; smart gravities are the centre."""
    check_output(size, max_dimension, what)
    if size == (image.width, image.height):
        return image
    left, top = position(size, (image.width, image.height), at.compass(), dpr=dpr)
    image, background = fill_values(image, fill)
    return image.embed(left, top, size[0], size[1], extend="background", background=background)


def add_sides(image: Any, sides: Sides, fill: Rgba, max_dimension: int, what: str) -> Any:
    """``sides`` pixels of ``fill`` added around ``image``."""
    size = (image.width + sides.left + sides.right, image.height + sides.top + sides.bottom)
    check_output(size, max_dimension, what)
    image, background = fill_values(image, fill)
    return image.embed(
        sides.left, sides.top, size[0], size[1], extend="background", background=background
    )


def to_aspect_ratio(
    image: Any, ratio: float, at: Anchor, fill: Rgba, max_dimension: int, *, dpr: float = 1.0
) -> Any:
    """The canvas widened or heightened (never cut) to ``ratio``, the image at ``at``."""
    width, height = image.width, image.height
    if width / height < ratio:
        width = rounded(height * ratio)
    else:
        height = rounded(width / ratio)
    size = (max(width, image.width), max(height, image.height))
    return place_on_canvas(image, size, at, fill, max_dimension, "extend_aspect_ratio", dpr=dpr)


def fill_values(image: Any, fill: Rgba) -> tuple[Any, list[float]]:
    """``image`` with the bands ``fill`` needs (colour, alpha), and ``fill`` in its units."""
    red, green, blue, alpha = fill
    grey = red == green == blue
    if image.bands < 3 and not grey and image.interpretation in ("b-w", "grey16"):
        image = image.colourspace("srgb" if image.format == "uchar" else "rgb16")
    if alpha < 255 and not image.hasalpha():
        image = image.bandjoin_const([_maximum(image)])
    colour = [float(red)] if image.bands <= 2 else [float(red), float(green), float(blue)]
    if image.hasalpha():
        colour.append(float(alpha))
    unit = _maximum(image) / 255
    return image, [value * unit for value in colour]


def _maximum(image: Any) -> float:
    return 65535.0 if image.format == "ushort" else 255.0


def frames(image: Any) -> list[Any]:
    """The frames of an animation stacked as libvips stacks pages."""
    page_height = frame_height(image)
    count = max(1, image.height // page_height)
    return [image.extract_area(0, i * page_height, image.width, page_height) for i in range(count)]


def frame_height(image: Any) -> int:
    fields = image.get_fields()
    height = int(image.get("page-height")) if "page-height" in fields else int(image.height)
    return height if 0 < height <= image.height else int(image.height)


def join_frames(parts: list[Any], template: Any) -> Any:
    """Frames stacked back into one animation, keeping ``template``'s timing."""
    pyvips = vips.pyvips()
    strip = parts[0] if len(parts) == 1 else pyvips.Image.arrayjoin(parts, across=1)
    strip = strip.copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", parts[0].height)
    fields = template.get_fields()
    for name in ("delay", "loop", "gif-delay", "gif-loop"):
        if name in fields:
            strip.set_type(template.get_typeof(name), name, template.get(name))
    return strip
