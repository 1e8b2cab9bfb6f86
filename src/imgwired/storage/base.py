"""The blob store interface every backend implements, its errors, and the rules for keys.

The API is synchronous: callers run it in worker threads. A store may be shared by threads; a
writer belongs to the one thread that writes it.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

from imgwired.errors import ImgwiredError

CHUNK_SIZE = 1024 * 1024
MAX_KEY_LENGTH = 512
MAX_SEGMENT_LENGTH = 128

# A segment may not start with "." either: that refuses "." and "..", hidden files, and any
# clash with the filesystem store's ".tmp-" files in one rule.
_SEGMENT = re.compile(rf"[A-Za-z0-9_-][A-Za-z0-9._-]{{0,{MAX_SEGMENT_LENGTH - 1}}}")

# Where ``probe()`` writes: no id of the blob key layout (blob_keys.py) starts with "_", so a
# probe never meets an image's blob, and the sweep, which reads only that layout, ignores it.
PROBE_PREFIX = "_probe/"
_PROBE_BYTES = b"imgwired blob store probe"

BlobChunks = Generator[bytes, None, None]
"""The bytes of one blob in order; ``close()`` it to release the file or connection early."""


class StorageError(ImgwiredError):
    """The storage backend failed; the detail names the key, never a credential."""


class BlobNotFoundError(ImgwiredError):
    """A read of a key that holds no blob."""


class InvalidBlobKeyError(ImgwiredError):
    """A key (or prefix) that breaks the key rules, refused before any I/O."""


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a valid blob key, else raise InvalidBlobKeyError.

    A key is 1..512 characters of ``/``-separated segments; each segment is 1..128 characters of
    ``[A-Za-z0-9._-]`` and does not start with ``.``.
    """
    if not isinstance(key, str) or not key:
        raise InvalidBlobKeyError("A blob key must be a non-empty string")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidBlobKeyError(f"A blob key is at most {MAX_KEY_LENGTH} characters long")
    for segment in key.split("/"):
        if not _SEGMENT.fullmatch(segment):
            raise InvalidBlobKeyError(
                f"Blob key {key!r} has an invalid segment {segment!r}: segments are 1 to "
                f"{MAX_SEGMENT_LENGTH} characters of A-Z a-z 0-9 . _ - and do not start with '.'"
            )
    return key


def is_valid_key(key: str) -> bool:
    """Whether ``validate_key(key)`` would accept ``key``."""
    try:
        validate_key(key)
    except InvalidBlobKeyError:
        return False
    return True


def validate_prefix(prefix: str, *, allow_empty: bool = True) -> str:
    """Return ``prefix`` unchanged if it is a valid key, optionally ending in ``/``, or empty."""
    if not isinstance(prefix, str):
        raise InvalidBlobKeyError("A blob key prefix must be a string")
    if prefix:
        validate_key(prefix.removesuffix("/"))
    elif not allow_empty:
        # An empty prefix here is far likelier a bug than a wish to erase the whole store.
        raise InvalidBlobKeyError("An empty prefix is refused here: it would match every blob")
    return prefix


class BlobWriter(ABC):
    """A streaming write to one key: nothing is visible to readers until ``commit()``.

    As a context manager it aborts on exit unless committed, so an exception leaves no blob.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self._bytes_written = 0
        self._state: Literal["open", "committed", "aborted"] = "open"

    @property
    def bytes_written(self) -> int:
        return self._bytes_written

    def write(self, chunk: bytes) -> None:
        """Append ``chunk``; memory stays bounded whatever the total size."""
        self._require_open()
        if chunk:
            self._write(chunk)
            self._bytes_written += len(chunk)

    def commit(self) -> None:
        """Publish the blob atomically, replacing any blob at the key; on failure, abort."""
        self._require_open()
        try:
            self._commit()
        except BaseException:
            self.abort()
            raise
        self._state = "committed"

    def abort(self) -> None:
        """Discard everything written; a no-op once committed or aborted."""
        if self._state != "open":
            return
        self._state = "aborted"
        self._abort()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.abort()

    def _require_open(self) -> None:
        if self._state != "open":
            raise ValueError(f"The writer for {self.key!r} is already {self._state}")

    @abstractmethod
    def _write(self, chunk: bytes) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _abort(self) -> None:
        """Best effort: must not raise, since it runs while another error propagates."""


class BlobStore(ABC):
    """Named blobs of bytes: written by streaming, published atomically, read by streaming.

    Every method validates its key first (InvalidBlobKeyError, before any I/O); reads of a
    missing key raise BlobNotFoundError; backend failures raise StorageError.
    """

    @abstractmethod
    def writer(self, key: str) -> BlobWriter:
        """A writer whose ``commit()`` publishes the blob at ``key``."""

    def put_file(self, key: str, path: Path) -> None:
        """Store the bytes of the local file at ``path``, streamed in constant memory."""
        with self.writer(key) as writer:
            try:
                with path.open("rb") as file:
                    while chunk := file.read(CHUNK_SIZE):
                        writer.write(chunk)
            except OSError as error:
                raise StorageError(f"Could not read the file to store at {key!r}") from error
            writer.commit()

    def put_bytes(self, key: str, data: bytes) -> None:
        """Store ``data`` (meant for small blobs: it is already in memory)."""
        with self.writer(key) as writer:
            writer.write(data)
            writer.commit()

    @abstractmethod
    def read_chunks(self, key: str, chunk_size: int = CHUNK_SIZE) -> BlobChunks:
        """The blob's bytes in chunks of at most ``chunk_size``; a missing key raises at once."""

    def read_bytes(self, key: str) -> bytes:
        """The whole blob in memory (meant for small blobs)."""
        chunks = self.read_chunks(key)
        try:
            return b"".join(chunks)
        finally:
            chunks.close()

    @abstractmethod
    def local_path(self, key: str) -> AbstractContextManager[Path]:
        """A local file holding the blob's bytes for the ``with`` block; do not modify it."""

    @abstractmethod
    def size(self, key: str) -> int:
        """The blob's length in bytes."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether a committed blob is at ``key``."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob at ``key``; a missing key is not an error."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Remove every blob whose key starts with ``prefix`` (not empty); return how many."""

    @abstractmethod
    def list_prefix(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with ``prefix``, in no promised order."""

    @abstractmethod
    def abort_abandoned_writes(self, older_than: timedelta) -> int:
        """Discard writes that were begun but neither committed nor aborted (what a crashed
        process leaves) and show no sign of life for ``older_than``; returns how many.

        Published blobs are never touched. A write still under way is discarded too if it is
        older than that, so ``older_than`` must be longer than the slowest write.
        """

    def probe(self) -> None:
        """Write, read back and delete a small blob under ``PROBE_PREFIX``; raise StorageError
        saying what failed. It shows the store can hold bytes now, which start-up and ``/health``
        need to know, and a listing cannot tell (a read-only bucket lists fine)."""
        key = f"{PROBE_PREFIX}{uuid.uuid4().hex}"  # probes running at once never collide
        self.put_bytes(key, _PROBE_BYTES)
        try:
            echoed = self.read_bytes(key)
        except BaseException:
            with contextlib.suppress(ImgwiredError):  # the read's error is the one to report
                self.delete(key)
            raise
        self.delete(key)
        if echoed != _PROBE_BYTES:
            raise StorageError(f"The blob store returned other bytes than were stored at {key!r}")

    def close(self) -> None:  # noqa: B027 - optional: most backends hold nothing to release
        """Release connections; the store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
