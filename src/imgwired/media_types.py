"""The image media types the API accepts, as the contract's ``SupportedMimeType`` lists them."""

from __future__ import annotations

import enum


class SupportedMimeType(enum.StrEnum):
    """Represents supported image MIME types."""

    JPEG = "image/jpeg"
    JXL = "image/jxl"
    PNG = "image/png"
    WEBP = "image/webp"
    AVIF = "image/avif"
    GIF = "image/gif"
    ICO = "image/vnd.microsoft.icon"
    HEIC = "image/heic"
    BMP = "image/bmp"
    TIFF = "image/tiff"
