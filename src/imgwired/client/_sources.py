"""What ``images.upload`` accepts, read in chunks: a path, an open binary file, or bytes.

A source is read in ``CHUNK`` pieces, never whole, and can start again from its beginning when it
is re-readable (bytes, a path, a seekable file): that is what makes hashing before sending and
sending again after a failed connection possible.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread

CHUNK = 1024 * 1024

FileInput = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO


class UploadSource:
    """The bytes of one upload, with what is known about them before reading."""

    name: str | None = None
    rereadable: bool = True

    def length(self) -> int | None:
        raise NotImplementedError

    def chunks(self) -> Iterator[bytes]:
        """The bytes from the beginning, ``CHUNK`` at a time (from where the source started)."""
        raise NotImplementedError

    async def achunks(self) -> AsyncIterator[bytes]:
        """``chunks()`` for an event loop: each blocking read runs in a worker thread."""
        iterator = self.chunks()
        try:
            while True:
                chunk = await anyio.to_thread.run_sync(next, iterator, None)
                if chunk is None:
                    return
                yield chunk
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                await anyio.to_thread.run_sync(close)

    def sha256(self) -> str | None:
        """The hex SHA-256 of the bytes, or ``None`` when reading them twice is not possible."""
        if not self.rereadable:
            return None
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()


class BytesSource(UploadSource):
    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._data = memoryview(data).cast("B")

    def length(self) -> int:
        return len(self._data)

    def chunks(self) -> Iterator[bytes]:
        for start in range(0, len(self._data), CHUNK):
            yield bytes(self._data[start : start + CHUNK])

    async def achunks(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks():
            yield chunk


class PathSource(UploadSource):
    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        self._path = path
        self.name = path.name

    def length(self) -> int:
        return self._path.stat().st_size

    def chunks(self) -> Iterator[bytes]:
        with self._path.open("rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk


class FileSource(UploadSource):
    """An open binary file, read from its current position; re-readable when seekable."""

    def __init__(self, file: BinaryIO) -> None:
        if isinstance(file, io.TextIOBase):
            raise TypeError("open the file in binary mode ('rb') to upload it")
        self._file = file
        name = getattr(file, "name", None)
        self.name = os.path.basename(name) if isinstance(name, str) and name else None
        self.rereadable = _seekable(file)
        self._start = file.tell() if self.rereadable else 0
        self._used = False

    def length(self) -> int | None:
        if not self.rereadable:
            return None
        end = self._file.seek(0, io.SEEK_END)
        self._file.seek(self._start)
        return end - self._start

    def chunks(self) -> Iterator[bytes]:
        if self.rereadable:
            self._file.seek(self._start)
        elif self._used:
            raise ValueError("this file cannot be read again: it is not seekable")
        self._used = True
        while chunk := self._file.read(CHUNK):
            if not isinstance(chunk, bytes):
                raise TypeError("the file must return bytes: open it in binary mode ('rb')")
            yield chunk


def open_source(file: FileInput) -> UploadSource:
    """The source for an ``upload`` argument; raises ``TypeError`` for anything else."""
    if isinstance(file, bytes | bytearray | memoryview):
        return BytesSource(file)
    if isinstance(file, str | os.PathLike):
        return PathSource(Path(os.fspath(file)))
    if hasattr(file, "read"):
        return FileSource(file)
    raise TypeError(f"cannot upload {type(file).__name__}: give a path, a binary file or bytes")


def _seekable(file: BinaryIO) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, OSError, ValueError):
        return False
