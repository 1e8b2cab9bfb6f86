"""Colour and filter operations, in one fixed order, on 8-bit sRGB with alpha left alone.

The order: normalize, adjust, brightness, contrast, lightness / saturation / hue, adjust's colour
multiplier, colorize (and adjust's tint), monochrome, duotone, negate, pixelate, blur, sharpen,
gradient. Each takes and returns one
frame as a ``pyvips.Image`` (``Any``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from imgwired.imaging import vips
from imgwired.transform.grammar.params import Transformation
from imgwired.transform.grammar.values import Gradient, Normalize, Rgba, Sharpen


def has_effects(t: Transformation) -> bool:
    """Whether any colour or filter operation is asked."""
    return any(
        (
            t.normalize,
            t.adjust,
            t.brightness != 1.0,
            t.contrast,
            t.lightness != 1.0,
            t.saturation != 1.0,
            t.hue,
            t.colorize,
            t.monochrome is not False,
            t.duotone,
            t.negate,
            t.pixelate,
            t.blur,
            t.sharpen,
            t.gradient,
        )
    )


def apply_effects(image: Any, t: Transformation) -> Any:
    """Every colour and filter operation ``t`` asks for, in the documented order."""
    if not has_effects(t):
        return image
    image = as_srgb8(image)
    if t.normalize:
        image = _on_colour(image, lambda colour: _normalize(colour, t.normalize))
    brightness, saturation = t.brightness, t.saturation
    if t.adjust:
        brightness *= t.adjust.brightness
        saturation *= t.adjust.saturation
    if brightness != 1.0:
        image = _on_colour(image, lambda colour: (colour * brightness).cast("uchar"))
    if t.contrast:
        factor, pivot = t.contrast.multiplier, t.contrast.pivot
        image = _on_colour(image, lambda colour: ((colour - pivot) * factor + pivot).cast("uchar"))
    if t.lightness != 1.0 or saturation != 1.0 or t.hue:
        image = _on_colour(image, lambda colour: _lch(colour, t.lightness, saturation, t.hue))
    if t.adjust and t.adjust.color != 1.0:
        image = _on_colour(image, partial(_colour_balance, factor=t.adjust.color))
    for tint in (t.adjust.tint if t.adjust else None, t.colorize):
        if tint is not None:
            image = _on_colour(image, partial(_tint, tint=tint))
    if t.monochrome is not False:
        image = _on_colour(image, lambda colour: _monochrome(colour, t.monochrome))
    if t.duotone:
        shadow, highlight = t.duotone.shadow, t.duotone.highlight
        image = _on_colour(image, lambda colour: _duotone(colour, shadow, highlight))
    if t.negate:
        image = _negate(image, alpha=t.negate.alpha)
    if t.pixelate:
        image = _pixelate(image, t.pixelate)
    if t.blur:
        image = _blur(image, t.blur)
    if t.sharpen:
        image = _on_colour(image, lambda colour: _sharpen(colour, t.sharpen))
    if t.gradient:
        image = _gradient(image, t.gradient)
    return image


def as_srgb8(image: Any) -> Any:
    """``image`` as 8-bit sRGB, its alpha (if any) kept as the last band."""
    if image.format != "uchar" or image.interpretation != "srgb" or image.bands < 3:
        image = image.colourspace("srgb")
    return image if image.format == "uchar" else image.cast("uchar")


def _on_colour(image: Any, operation: Callable[[Any], Any]) -> Any:
    """``operation`` on the colour bands only; the alpha band is passed through unchanged."""
    if not image.hasalpha():
        return operation(image)
    colour, alpha = image.extract_band(0, n=image.bands - 1), image[image.bands - 1]
    return operation(colour).bandjoin(alpha)


def _lch(colour: Any, lightness: float, saturation: float, hue: float) -> Any:
    lch = colour.colourspace("lch")
    adjusted = lch * [lightness, saturation, 1.0] + [0.0, 0.0, hue]
    return adjusted.colourspace("srgb").cast("uchar")


# Rec. 601 luma, the grey a colour-balance control pulls towards or pushes away from.
_LUMA = (0.299, 0.587, 0.114)


def _colour_balance(colour: Any, factor: float) -> Any:
    """Each pixel's distance from its own grey times ``factor``, in sRGB (0 is grey).

    Unlike ``saturation`` (chroma in LCh, which keeps perceived lightness), this is the
    colour-balance control of photo editors: vivid colours go further, and clip sooner.
    """
    grey = colour.recomb([list(_LUMA)])
    return (grey + (colour - grey) * factor).cast("uchar").copy(interpretation="srgb")


def _lab_of(color: Rgba) -> list[float]:
    pyvips = vips.pyvips()
    pixel = (pyvips.Image.black(1, 1, bands=3) + list(color[:3])).cast("uchar")
    return [float(value) for value in pixel.copy(interpretation="srgb").colourspace("lab")(0, 0)]


def _tint(colour: Any, tint: Rgba) -> Any:
    """Each pixel's lightness in ``tint``'s hue and chroma; ``tint``'s alpha is the strength."""
    _, a, b = _lab_of(tint)
    lightness = colour.colourspace("lab")[0]
    tinted = lightness.bandjoin_const([a, b]).copy(interpretation="lab").colourspace("srgb")
    strength = tint[3] / 255
    if strength >= 1.0:
        return tinted.cast("uchar")
    return (colour * (1 - strength) + tinted * strength).cast("uchar")


def _luminance(colour: Any) -> Any:
    return colour.colourspace("b-w")


def _monochrome(colour: Any, monochrome: bool | Rgba) -> Any:
    grey = _luminance(colour)
    if monochrome is True or monochrome is False:
        return grey.colourspace("srgb")
    # A ramp from black to the colour: the darkest pixels black, the brightest the colour.
    ramp = grey.bandjoin([grey, grey]) * [channel / 255 for channel in monochrome[:3]]
    return ramp.cast("uchar").copy(interpretation="srgb")


def _duotone(colour: Any, shadow: Rgba, highlight: Rgba) -> Any:
    level = _luminance(colour) / 255
    level = level.bandjoin([level, level])
    low, high = list(shadow[:3]), list(highlight[:3])
    mixed = level * [h - s for s, h in zip(low, high, strict=True)] + low
    return mixed.cast("uchar").copy(interpretation="srgb")


def _negate(image: Any, *, alpha: bool) -> Any:
    if alpha or not image.hasalpha():
        return (255 - image).cast("uchar").copy(interpretation="srgb")
    return _on_colour(image, lambda colour: (255 - colour).cast("uchar"))


def _normalize(colour: Any, normalize: Normalize | None) -> Any:
    """Lightness stretched so the lower percentile is black and the upper one white."""
    assert normalize is not None
    lab = colour.colourspace("lab")
    lightness = lab[0]
    # libvips's percentile works on integer images: lightness (0..100) in 0.5 steps.
    levels = (lightness * 2).cast("uchar")
    low = levels.min() if normalize.lower <= 0 else levels.percent(normalize.lower)
    high = levels.max() if normalize.upper >= 100 else levels.percent(normalize.upper)
    low, high = low / 2, high / 2
    if high <= low:
        return colour
    stretched = ((lightness - low) * (100 / (high - low))).bandjoin(lab.extract_band(1, n=2))
    return stretched.copy(interpretation="lab").colourspace("srgb").cast("uchar")


def _pixelate(image: Any, block: int) -> Any:
    block = max(1, min(block, image.width, image.height))
    small = image.shrink(block, block)
    large = small.zoom(block, block)
    width, height = min(large.width, image.width), min(large.height, image.height)
    large = large.extract_area(0, 0, width, height)
    if (width, height) != (image.width, image.height):
        large = large.embed(0, 0, image.width, image.height, extend="copy")
    return large.cast("uchar").copy(interpretation=image.interpretation)


def _blur(image: Any, sigma: float) -> Any:
    if not image.hasalpha():
        return image.gaussblur(sigma).cast("uchar")
    # Premultiplied, so transparent pixels' colours do not bleed into the visible ones.
    blurred = image.premultiply().gaussblur(sigma).unpremultiply()
    return blurred.cast("uchar").copy(interpretation=image.interpretation)


def _sharpen(colour: Any, sharpen: Sharpen | None) -> Any:
    assert sharpen is not None
    sharpened = colour.sharpen(
        sigma=sharpen.sigma,
        x1=sharpen.x1,
        y2=sharpen.y2,
        y3=sharpen.y3,
        m1=sharpen.m1,
        m2=sharpen.m2,
    )
    return sharpened.colourspace("srgb").cast("uchar")


def _gradient(image: Any, gradient: Gradient) -> Any:
    """A linear gradient laid over the image with its opacity and blend mode, as CSS draws it."""
    pyvips = vips.pyvips()
    width, height = image.width, image.height
    radians = math.radians(gradient.angle)
    dx, dy = math.sin(radians), -math.cos(radians)
    length = abs(width * dx) + abs(height * dy) or 1.0
    xy = pyvips.Image.xyz(width, height) + 0.5
    position = (xy[0] - width / 2) * (dx / length) + (xy[1] - height / 2) * (dy / length) + 0.5
    index = (position * 255).cast("uchar")  # cast clips to 0..255
    overlay = index.maplut(_gradient_table(gradient))
    overlay = (overlay * [1, 1, 1, gradient.opacity]).cast("uchar").copy(interpretation="srgb")
    blended = image.composite2(overlay, gradient.blend.value)
    if image.hasalpha():
        return blended.cast("uchar")
    return blended.extract_band(0, n=3).cast("uchar")


def _gradient_table(gradient: Gradient) -> Any:
    """A 256-entry RGBA lookup table through the colour stops, evenly spaced."""
    pyvips = vips.pyvips()
    stops = gradient.colors
    rows: list[list[float]] = [[], [], [], []]
    for entry in range(256):
        where = entry / 255 * (len(stops) - 1)
        index = min(int(where), len(stops) - 2)
        fraction = where - index
        for band in range(4):
            start, end = stops[index][band], stops[index + 1][band]
            rows[band].append(start + (end - start) * fraction)
    bands = [pyvips.Image.new_from_array([row]) for row in rows]
    return bands[0].bandjoin(bands[1:]).cast("uchar")
