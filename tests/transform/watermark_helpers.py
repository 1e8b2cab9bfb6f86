"""What a viewer looks for in a watermarked image: where the mark's colour is."""

from __future__ import annotations

from typing import Any


def box_of(image: Any, colour: tuple[int, int, int], tolerance: int = 40) -> tuple[int, ...]:
    """The bounding box (left, top, right, bottom; exclusive) of pixels near ``colour``."""
    difference = image.extract_band(0, n=3) - list(colour)
    mask = (difference * difference).bandmean() ** 0.5 < tolerance
    columns, rows = mask.project()
    xs = [x for x in range(image.width) if columns(x, 0)[0] > 0]
    ys = [y for y in range(image.height) if rows(0, y)[0] > 0]
    assert xs and ys, f"no pixel near {colour}"
    return xs[0], ys[0], xs[-1] + 1, ys[-1] + 1
