"""Text watermarks: plain text laid out by Pango (libvips ``text``), in colour, with alpha.

libvips finds fonts through fontconfig, and a fresh machine (a slim container, a CI runner)
may have none: Pango then draws a box for every character. So imgwired ships a font family as
a Python dependency (Source Sans Pro, from ``font-source-sans-pro``) and hands its files to
fontconfig on first use; it is the default family, and the fallback for unknown names on a
machine without fonts of its own. Families installed on the machine can be named too.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import threading
from pathlib import Path
from typing import Any, Final

from imgwired.errors import TransformationTooLargeError
from imgwired.imaging import vips
from imgwired.transform.grammar.values import format_number
from imgwired.transform.grammar.watermark_values import TextAlign, WatermarkText

FONT_PACKAGE: Final = "font_source_sans_pro"
_STYLES: Final = ("Regular", "Bold", "It", "BoldIt")
TEXT_PIXEL_BUDGET: Final = 16_000_000
"""Characters x size² (in pixels) above which a text is refused before it is laid out: a
bound on the mask libvips draws, whatever the text."""

_VIPS_ALIGN: Final = {TextAlign.LEFT: "low", TextAlign.CENTRE: "centre", TextAlign.RIGHT: "high"}

_register_lock = threading.Lock()
_registered = False


@functools.cache
def bundled_font_files() -> tuple[Path, ...]:
    """The shipped font files (regular, bold, italic, bold italic); empty if not installed."""
    try:
        root = importlib.resources.files(FONT_PACKAGE) / "files"
    except ModuleNotFoundError:
        return ()
    paths = (Path(str(root / f"SourceSansPro-{style}.ttf")) for style in _STYLES)
    return tuple(path for path in paths if path.is_file())


def render_text(text: WatermarkText, *, scale: float, max_dimension: int) -> Any:
    """``text`` as an sRGB image with alpha, its size times ``scale`` (the ``dpr``), lines
    wrapped at ``max_dimension`` pixels. Raises ``TransformationTooLargeError`` for a text
    too large to draw."""
    pyvips = vips.pyvips()
    _register_fonts(pyvips)
    size = max(1.0, text.size * scale)
    if len(text.text) * size * size > TEXT_PIXEL_BUDGET:
        raise TransformationTooLargeError(
            f"watermark_text: {len(text.text)} characters at {format_number(round(size))} "
            "pixels are too many to draw; use fewer characters or a smaller size"
        )
    # The text is escaped: Pango reads markup, and a watermark says exactly what was written.
    mask = pyvips.Image.text(
        html.escape(text.text, quote=False),
        font=f"{text.font} {format_number(round(size, 2))}",
        dpi=72,  # at 72 dpi a point is a pixel: size is the font's size in pixels
        width=max_dimension,
        align=_VIPS_ALIGN[text.align],
    )
    red, green, blue, alpha = text.color
    coverage = mask if alpha == 255 else (mask * (alpha / 255)).cast("uchar")
    colour = mask.new_from_image([red, green, blue])
    return colour.bandjoin(coverage).copy(interpretation="srgb")


def _register_fonts(pyvips: Any) -> None:
    """Hand the shipped font files to fontconfig, once per process."""
    global _registered
    with _register_lock:
        if _registered:
            return
        for path in bundled_font_files():
            # libvips adds a ``fontfile`` to fontconfig's application fonts and remembers it.
            pyvips.Image.text(".", fontfile=str(path))
        _registered = True
