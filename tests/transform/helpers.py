"""Source images for the render tests, and what a viewer of the output would see.

Sources are generated with pyvips: solid colours, and a 200x100 image of four coloured
quadrants whose colours show where each corner went after crops, turns and flips.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from imgwired.imaging.vips import pyvips
from imgwired.media_types import SupportedMimeType
from imgwired.transform.grammar.params import OutputFormat, parse_transformations
from imgwired.transform.render import Rendered, render

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
YELLOW = (255, 255, 0)
WHITE = (255, 255, 255)
QUADRANT_COLOURS = {"red": RED, "green": GREEN, "blue": BLUE, "yellow": YELLOW}

MAGIC: dict[OutputFormat, Callable[[bytes], bool]] = {
    OutputFormat.JPEG: lambda data: data[:3] == b"\xff\xd8\xff",
    OutputFormat.PNG: lambda data: data[:8] == b"\x89PNG\r\n\x1a\n",
    OutputFormat.WEBP: lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP",
    OutputFormat.AVIF: lambda data: data[4:12] in (b"ftypavif", b"ftypavis"),
    OutputFormat.GIF: lambda data: data[:6] in (b"GIF87a", b"GIF89a"),
    OutputFormat.TIFF: lambda data: data[:4] in (b"II*\x00", b"MM\x00*"),
}


def solid(colour: Sequence[int], width: int = 64, height: int = 48) -> Any:
    """An sRGB image of one colour (with alpha if ``colour`` has four components)."""
    vips = pyvips()
    image = vips.Image.black(width, height, bands=len(colour)) + list(colour)
    return image.cast("uchar").copy(interpretation="srgb")


def quadrants(width: int = 200, height: int = 100) -> Any:
    """Red top left, green top right, blue bottom left, yellow bottom right."""
    vips = pyvips()
    half_w, half_h = width // 2, height // 2
    top = solid(RED, half_w, half_h).join(solid(GREEN, width - half_w, half_h), "horizontal")
    bottom = solid(BLUE, half_w, height - half_h).join(
        solid(YELLOW, width - half_w, height - half_h), "horizontal"
    )
    return vips.Image.arrayjoin([top, bottom], across=1).copy(interpretation="srgb")


def ramp(width: int = 64, height: int = 48, low: int = 0, high: int = 255) -> Any:
    """A grey ramp from ``low`` at the left to ``high`` at the right, as sRGB."""
    vips = pyvips()
    x = vips.Image.xyz(width, height)[0]
    grey = (x * ((high - low) / max(1, width - 1)) + low).cast("uchar")
    return grey.bandjoin([grey, grey]).copy(interpretation="srgb")


def save(image: Any, path: Path, **options: Any) -> Path:
    image.write_to_file(str(path), **options)
    return path


def transform(
    path: Path,
    query: str | Sequence[tuple[str, str]],
    output: OutputFormat | None = None,
    *,
    source_type: SupportedMimeType | None = None,
    max_pixels: int = 250_000_000,
    max_dimension: int = 8192,
) -> tuple[Rendered, Any]:
    """Parse ``query`` (``"w=50&h=20"`` or items), render, and decode what came out."""
    items = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else list(query)
    rendered = render(
        path,
        source_type or _type_of(path),
        parse_transformations(items),
        output,
        max_pixels=max_pixels,
        max_dimension=max_dimension,
    )
    assert MAGIC[rendered.format](rendered.data), rendered.data[:16]
    decoded = decode(rendered.data)
    assert (decoded.width, decoded.height) == (rendered.width, rendered.height)
    return rendered, decoded


def decode(data: bytes, **options: Any) -> Any:
    return pyvips().Image.new_from_buffer(data, "", **options)


_TYPES = {
    ".jpg": SupportedMimeType.JPEG,
    ".png": SupportedMimeType.PNG,
    ".gif": SupportedMimeType.GIF,
    ".webp": SupportedMimeType.WEBP,
    ".tif": SupportedMimeType.TIFF,
    ".avif": SupportedMimeType.AVIF,
}


def _type_of(path: Path) -> SupportedMimeType:
    return _TYPES[path.suffix]


def pixel(image: Any, x: int, y: int) -> tuple[int, ...]:
    return tuple(round(value) for value in image(x, y))


def rgb(image: Any, x: int, y: int) -> tuple[int, int, int]:
    """The colour a viewer sees at (x, y), for grey and colour images alike."""
    values = pixel(image, x, y)
    if image.bands <= 2:
        return values[0], values[0], values[0]
    return values[0], values[1], values[2]


def near(actual: Sequence[int], expected: Sequence[int], tolerance: int = 24) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def colour_name(image: Any, x: int, y: int) -> str:
    """The quadrant colour closest to the pixel at (x, y)."""
    seen = rgb(image, x, y)
    return min(
        QUADRANT_COLOURS,
        key=lambda name: sum(
            (a - b) ** 2 for a, b in zip(seen, QUADRANT_COLOURS[name], strict=True)
        ),
    )


def corners(image: Any, inset: int = 4) -> tuple[str, str, str, str]:
    """Colour names at the top left, top right, bottom left and bottom right."""
    right, bottom = image.width - 1 - inset, image.height - 1 - inset
    return (
        colour_name(image, inset, inset),
        colour_name(image, right, inset),
        colour_name(image, inset, bottom),
        colour_name(image, right, bottom),
    )


def frame_count(data: bytes) -> int:
    """The frames (pages) the encoded image holds, as its decoder reports them."""
    image = decode(data)
    return int(image.get("n-pages")) if "n-pages" in image.get_fields() else 1
