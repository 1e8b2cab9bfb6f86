"""What an uploaded file really is, proven by its bytes and a bounded, complete decode.

``probe`` is synchronous and blocking: call it from a worker thread. The steps, each able to
refuse the file with an ``ImageRejectedError`` reason:

1. sniff the magic bytes (``not_an_image``);
2. look for polyglot payloads and structural truncation (``polyglot``, ``truncated``);
3. pick the one trusted loader for the sniffed type, with every other libvips loader blocked
   (``untrusted_loader``, ``unsupported_format``), and check that libvips's own sniffing
   agrees (``type_mismatch``);
4. read the header lazily and refuse large images before any pixel is decoded
   (``too_many_pixels``);
5. decode every pixel in one sequential pass, in bounded memory (``decode_failed``,
   ``unsupported_format`` when the build lacks the codec, as for HEVC-coded HEIC).

Only the frames of GIF and WebP animations are counted and decoded beyond the first page. A
multi-page TIFF or multi-image HEIF is judged by its primary image, the one imgwired serves and
transforms; its other pages are never decoded.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imgwired.imaging import vips
from imgwired.imaging.errors import ImageRejectedError
from imgwired.imaging.exif import ExifValue, exif_from_fields
from imgwired.imaging.formats import extension_for, is_directly_deliverable
from imgwired.imaging.polyglot import check_polyglot
from imgwired.imaging.sniff import SNIFF_BYTES, sniff
from imgwired.media_types import SupportedMimeType

# ImageRejectedError and is_directly_deliverable are re-exported: callers need all three together.
__all__ = [
    "DEFAULT_MAX_PIXELS",
    "ImageInfo",
    "ImageRejectedError",
    "is_directly_deliverable",
    "probe",
]

DEFAULT_MAX_PIXELS = 250_000_000
"""Width x height x frames above which an image is refused unread."""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What a probed image is: its true type, its size per frame, and its EXIF tags."""

    mime_type: SupportedMimeType
    extension: str
    width: int
    height: int
    pages: int
    is_animated: bool
    has_alpha: bool
    exif: dict[str, ExifValue] = field(hash=False)
    orientation: int = 1


def probe(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Describe the image at ``path`` or raise ``ImageRejectedError`` saying why it is refused."""
    with _mapped(path) as data:
        mime_type = sniff(data[:SNIFF_BYTES])
        if mime_type is None:
            raise ImageRejectedError(
                "not_an_image", "The file is not an image of a supported type."
            )
        check_polyglot(data, mime_type)
    loader = _trusted_loader(path, mime_type)
    image = _load_header(loader, path, mime_type)
    if image.width * image.height > max_pixels:
        raise ImageRejectedError(
            "too_many_pixels",
            f"The image has more than {max_pixels} pixels across all its frames.",
        )
    stats = _decode_fully(image, mime_type)
    return _describe(image, stats, mime_type, animated=loader.nickname in vips.ANIMATED_LOADERS)


@contextmanager
def _mapped(path: Path) -> Iterator[bytes | mmap.mmap]:
    """The file's bytes, mapped rather than read so large uploads cost no heap memory."""
    with path.open("rb") as file:
        if os.fstat(file.fileno()).st_size == 0:  # an empty file cannot be mapped
            yield b""
            return
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def _trusted_loader(path: Path, mime_type: SupportedMimeType) -> vips.Loader:
    """The allowed loader for ``mime_type``, once libvips is known to agree on the type."""
    loader = vips.LOADERS[mime_type]
    if not loader.trusted:
        raise ImageRejectedError(
            "untrusted_loader",
            f"{mime_type.value} images are refused: only an untrusted decoder can read them.",
        )
    vips.configure_libvips()
    if not vips.is_available(loader):
        raise ImageRejectedError(
            "unsupported_format", f"This server cannot decode {mime_type.value} images."
        )
    detected = vips.detected_loader_class(str(path))
    if detected is None:  # no allowed loader recognises the data, e.g. a damaged TIFF header
        raise ImageRejectedError(
            "decode_failed", f"The {mime_type.value} data could not be decoded."
        )
    if detected != f"{loader.class_name}Source":
        raise ImageRejectedError(
            "type_mismatch",
            f"The file starts like {mime_type.value} but the decoder does not read it as such.",
        )
    return loader


def _load_header(loader: vips.Loader, path: Path, mime_type: SupportedMimeType) -> Any:
    """A lazy image: libvips reads headers here and pixels only when they are asked for."""
    # n=-1 loads every frame of an animation as one tall strip, so width x height counts them all.
    options = {"n": -1} if loader.nickname in vips.ANIMATED_LOADERS else {}
    try:
        return vips.load(loader, str(path), **options)
    except vips.pyvips().Error as error:
        raise _decode_error(mime_type, error) from error


def _decode_fully(image: Any, mime_type: SupportedMimeType) -> Any:
    """Per-band statistics, computed in one sequential pass that decodes every pixel."""
    try:
        return image.stats()
    except vips.pyvips().Error as error:
        raise _decode_error(mime_type, error) from error


def _decode_error(mime_type: SupportedMimeType, error: Exception) -> ImageRejectedError:
    # libvips messages name server paths: they stay in the cause, not in the client's detail.
    if vips.is_missing_codec(error):
        return ImageRejectedError(
            "unsupported_format",
            f"This server cannot decode the codec inside this {mime_type.value} image.",
        )
    return ImageRejectedError("decode_failed", f"The {mime_type.value} data could not be decoded.")


def _describe(image: Any, stats: Any, mime_type: SupportedMimeType, *, animated: bool) -> ImageInfo:
    fields: list[str] = list(image.get_fields())
    frame_height = int(image.get("page-height")) if "page-height" in fields else image.height
    pages = max(1, int(image.height) // frame_height) if animated else 1
    has_alpha = bool(image.hasalpha())
    if has_alpha and mime_type is SupportedMimeType.GIF:
        # libvips decodes every GIF to RGBA; report alpha only if some pixel is see-through.
        alpha_minimum = stats(0, image.bands)[0]
        has_alpha = alpha_minimum < 255
    exif_fields = [
        (name, value)
        for name in fields
        if name.startswith("exif-ifd") and isinstance(value := image.get(name), str)
    ]
    orientation = int(image.get("orientation")) if "orientation" in fields else 1
    return ImageInfo(
        mime_type=mime_type,
        extension=extension_for(mime_type),
        width=int(image.width),
        height=int(frame_height),
        pages=pages,
        is_animated=pages > 1,
        has_alpha=has_alpha,
        exif=exif_from_fields(exif_fields),
        orientation=orientation if 1 <= orientation <= 8 else 1,
    )
