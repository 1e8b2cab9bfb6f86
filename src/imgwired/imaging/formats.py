"""Facts about each supported format that do not need a decoder: extension and deliverability."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from imgwired.media_types import SupportedMimeType

EXTENSIONS: Final[Mapping[SupportedMimeType, str]] = MappingProxyType(
    {
        SupportedMimeType.JPEG: "jpg",
        SupportedMimeType.PNG: "png",
        SupportedMimeType.WEBP: "webp",
        SupportedMimeType.GIF: "gif",
        SupportedMimeType.AVIF: "avif",
        SupportedMimeType.HEIC: "heic",
        SupportedMimeType.JXL: "jxl",
        SupportedMimeType.BMP: "bmp",
        SupportedMimeType.ICO: "ico",
        SupportedMimeType.TIFF: "tiff",
    }
)
"""The canonical file extension, without a dot, for every supported type."""

# What every current browser renders in an <img>. HEIC, TIFF and JPEG XL work in Safari alone.
# Browsers do render BMP, but it is uncompressed: it is transcoded rather than served as is.
_DIRECTLY_DELIVERABLE: Final = frozenset(
    {
        SupportedMimeType.JPEG,
        SupportedMimeType.PNG,
        SupportedMimeType.WEBP,
        SupportedMimeType.GIF,
        SupportedMimeType.AVIF,
        SupportedMimeType.ICO,
    }
)


def extension_for(mime_type: SupportedMimeType) -> str:
    """The canonical extension (``jpg``, ``png``, ...) for ``mime_type``."""
    return EXTENSIONS[mime_type]


def is_directly_deliverable(mime_type: SupportedMimeType) -> bool:
    """Whether every mainstream browser can display ``mime_type`` without transcoding."""
    return mime_type in _DIRECTLY_DELIVERABLE
