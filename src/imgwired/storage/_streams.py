"""Turning an open byte source into a closeable chunk generator that owns it."""

from __future__ import annotations

from typing import Protocol

from imgwired.storage.base import BlobChunks, StorageError


class ByteSource(Protocol):
    def read(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


def owned_chunks(
    source: ByteSource,
    chunk_size: int,
    *,
    vendor_errors: tuple[type[Exception], ...],
    detail: str,
) -> BlobChunks:
    """Chunks of ``source`` until it ends; closing (or collecting) the generator closes it.

    A ``vendor_errors`` exception while reading becomes StorageError(detail). The generator is
    started before it is returned: one that never started would not run its ``finally`` when
    closed, and the source would leak.
    """
    if chunk_size < 1:
        source.close()
        raise ValueError("chunk_size must be at least 1")
    chunks = _chunks(source, chunk_size, vendor_errors, detail)
    next(chunks)
    return chunks


def _chunks(
    source: ByteSource, chunk_size: int, vendor_errors: tuple[type[Exception], ...], detail: str
) -> BlobChunks:
    try:
        yield b""  # the priming step: from here on, close() reaches the finally below
        while True:
            try:
                chunk = source.read(chunk_size)
            except vendor_errors as error:
                raise StorageError(detail) from error
            if not chunk:
                return
            yield chunk
    finally:
        source.close()
