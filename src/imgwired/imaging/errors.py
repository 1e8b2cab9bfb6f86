"""The one error image inspection raises, with a stable machine-readable reason."""

from __future__ import annotations

from typing import Literal

from imgwired.errors import ImgwiredError

RejectionReason = Literal[
    "not_an_image",  # no supported signature: text, HTML, random bytes, an empty file
    "unsupported_format",  # a supported type this libvips build cannot decode (JPEG XL, HEVC)
    "untrusted_loader",  # only an untrusted libvips loader could decode it (BMP, ICO: magick)
    "type_mismatch",  # libvips's own sniffing disagrees with ours
    "polyglot",  # markup or script a browser or server could act on, or a ZIP trailer
    "truncated",  # the file ends before the image structure does
    "too_many_pixels",  # width x height x frames above the limit, checked before decoding
    "decode_failed",  # the decoder refused the data
]


class ImageRejectedError(ImgwiredError):
    """Bytes refused as an image; ``reason`` is a stable code, ``detail`` a sentence for people."""

    def __init__(self, reason: RejectionReason, detail: str) -> None:
        super().__init__(detail)
        self.reason: RejectionReason = reason
