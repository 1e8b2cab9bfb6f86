"""The boundary with libvips: lazy import, the loader allowlist, and which loader reads which type.

pyvips starts libvips when it is imported, so it is imported on first use, never at module
import. pyvips is untyped: values from it are ``Any`` and stay inside this package.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any, Final

from imgwired.media_types import SupportedMimeType


@dataclass(frozen=True, slots=True)
class Loader:
    """A libvips loader: its operation nickname, its class, and whether it may ever be used."""

    nickname: str
    class_name: str
    trusted: bool = True


LOADERS: Final[Mapping[SupportedMimeType, Loader]] = MappingProxyType(
    {
        SupportedMimeType.JPEG: Loader("jpegload", "VipsForeignLoadJpeg"),
        SupportedMimeType.PNG: Loader("pngload", "VipsForeignLoadPng"),
        SupportedMimeType.WEBP: Loader("webpload", "VipsForeignLoadWebp"),
        SupportedMimeType.GIF: Loader("gifload", "VipsForeignLoadNsgif"),
        SupportedMimeType.TIFF: Loader("tiffload", "VipsForeignLoadTiff"),
        SupportedMimeType.AVIF: Loader("heifload", "VipsForeignLoadHeif"),
        SupportedMimeType.HEIC: Loader("heifload", "VipsForeignLoadHeif"),
        SupportedMimeType.JXL: Loader("jxlload", "VipsForeignLoadJxl"),
        # libvips reads BMP and ICO only through ImageMagick, which it flags untrusted: a large
        # attack surface for two legacy formats, so they are refused rather than unblocked.
        SupportedMimeType.BMP: Loader("magickload", "VipsForeignLoadMagick", trusted=False),
        SupportedMimeType.ICO: Loader("magickload", "VipsForeignLoadMagick", trusted=False),
    }
)
"""The only loader allowed to read each type."""

ANIMATED_LOADERS: Final = frozenset({"gifload", "webpload"})
"""Loaders whose pages are the frames of one animation, loaded and limited together."""

# libheif's words when it lacks a decoder, e.g. HEVC in builds without libde265.
_MISSING_CODEC_MESSAGES: Final = (
    "has not been built in",
    "no decoding plugin",
    "unsupported codec",
)

_configure_lock = threading.Lock()
_configured = False


def pyvips() -> Any:
    """The pyvips module, imported (and libvips started) on first call."""
    import pyvips as module  # type: ignore[import-untyped]

    assert isinstance(module, ModuleType)
    return module


def configure_libvips() -> None:
    """Block every libvips loader except the trusted ones in ``LOADERS``; safe to call again.

    This is process-wide: after it, nothing in the process can load SVG, PDF, ImageMagick,
    CSV, matrix or .v files through libvips, including ``new_from_file``.
    """
    global _configured
    with _configure_lock:
        if _configured:
            return
        vips = pyvips()
        vips.block_untrusted_set(True)
        vips.operation_block_set("VipsForeignLoad", True)
        for loader in LOADERS.values():
            if loader.trusted and vips.type_from_name(loader.class_name) != 0:
                vips.operation_block_set(loader.class_name, False)
        # Each upload is probed once from a file that is deleted right after: caching open
        # files would only keep deleted temp files' disk space in use.
        vips.cache_set_max_files(0)
        _configured = True


def limit_resources(
    *, concurrency: int, cache_operations: int, cache_bytes: int, cache_files: int
) -> None:
    """Bound libvips process-wide: worker threads per computation, and its operation cache.

    With one worker thread a render uses one core, so ``transform_threads`` renders use at
    most that many cores and a cheap render never competes with a heavy one's worker threads.
    The operation cache keeps results of operations for reuse; a server rendering distinct
    requests rarely reuses one, and what it keeps is memory and open files that outlive the
    render.
    """
    configure_libvips()
    vips = pyvips()
    vips.concurrency_set(concurrency)
    vips.cache_set_max(cache_operations)
    vips.cache_set_max_mem(cache_bytes)
    vips.cache_set_max_files(cache_files)


def return_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``), so memory
    freed by a large render, finished or stopped, stops counting against the process.

    glibc keeps freed blocks in its arenas for reuse; after a render of tens of megapixels
    that is hundreds of megabytes the process holds without using. A no-op elsewhere.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    try:
        libc = ctypes.CDLL(None)
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: musl, macOS
        return None


def is_available(loader: Loader) -> bool:
    """Whether this libvips build includes ``loader``."""
    return int(pyvips().type_from_name(loader.class_name)) != 0


def detected_loader_class(path: str) -> str | None:
    """The class of the loader libvips itself would choose for ``path``, among unblocked ones."""
    vips = pyvips()
    source = vips.Source.new_from_file(path)
    found = vips.vips_lib.vips_foreign_find_load_source(source.pointer)
    if found == vips.ffi.NULL:
        return None
    return str(vips.ffi.string(found).decode())


def load(loader: Loader, path: str, **options: Any) -> Any:
    """A lazy, sequential, strict ``pyvips.Image`` of ``path`` read by ``loader`` alone."""
    vips = pyvips()
    # Through a source, not a file name: libvips would parse "[...]" in a name as options.
    source = vips.Source.new_from_file(path)
    operation = getattr(vips.Image, f"{loader.nickname}_source")
    return operation(source, access="sequential", fail_on="warning", **options)


def is_missing_codec(error: Exception) -> bool:
    """Whether a libvips error says the build lacks the codec, rather than the data being bad."""
    message = str(error).lower()
    return any(words in message for words in _MISSING_CODEC_MESSAGES)
