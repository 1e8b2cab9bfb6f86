"""Blobs as files under one root directory: key ``a/b/c`` is the file ``<root>/a/b/c``.

Every path is resolved (symlinks followed) and refused unless it stays under the root. A write
goes to ``.tmp-<random>`` beside its target, is fsynced, and is published by ``os.replace``, so a
reader sees the old file or the new one and never a part. A key cannot also be the directory of
another key (``a`` and ``a/b``): the filesystem cannot hold both, so the second write fails.
Temp files that a crash left behind are found by ``abort_abandoned_writes``, by their age.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from imgwired.storage._streams import owned_chunks
from imgwired.storage.base import (
    CHUNK_SIZE,
    BlobChunks,
    BlobNotFoundError,
    BlobStore,
    BlobWriter,
    StorageError,
    is_valid_key,
    validate_key,
    validate_prefix,
)

TEMP_PREFIX = ".tmp-"
# A concurrent delete may remove a freshly made, still empty directory before the temp file
# lands in it; making it again is enough.
_TEMP_ATTEMPTS = 5


class FilesystemBlobStore(BlobStore):
    """Blobs as files under ``root``, which is created on the first write."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def writer(self, key: str) -> BlobWriter:
        path = self._path(key)
        temp, file = _make_temp_file(key, path.parent)
        return _FileWriter(key, path, temp, file)

    def read_chunks(self, key: str, chunk_size: int = CHUNK_SIZE) -> BlobChunks:
        path = self._path(key)
        try:
            file = path.open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise _not_found(key) from None
        except OSError as error:
            raise _failed("read", key, error) from error
        return owned_chunks(
            file, chunk_size, vendor_errors=(OSError,), detail=f"Could not read blob {key!r}"
        )

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        path = self._path(key)
        if not path.is_file():
            raise _not_found(key)
        yield path

    def size(self, key: str) -> int:
        path = self._path(key)
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise _not_found(key) from None
        except OSError as error:
            raise _failed("inspect", key, error) from error
        if not stat.S_ISREG(info.st_mode):
            raise _not_found(key)
        return info.st_size

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._unlink(key, self._path(key))

    def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix, allow_empty=False)
        # Listed first, then removed: unlinking while scanning a directory is left undefined.
        keys = list(self.list_prefix(prefix))
        return sum(self._unlink(key, self._path(key)) for key in keys)

    def list_prefix(self, prefix: str = "") -> Iterator[str]:
        validate_prefix(prefix)
        directory = prefix.rpartition("/")[0]
        start = self._path(directory) if directory else self.root
        return self._walk(start, directory, prefix)

    def abort_abandoned_writes(self, older_than: timedelta) -> int:
        """Remove temp files last written more than ``older_than`` ago (a temp file's mtime
        moves with every write, so a write under way stays young)."""
        cutoff = time.time() - older_than.total_seconds()
        # Listed first, then removed, as in delete_prefix; there are few of them.
        removed = 0
        for name in list(self._walk(self.root, "", "", temp_files=True)):
            path = self.root.joinpath(*name.split("/"))
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue  # committed or aborted since it was listed
            except OSError as error:
                raise _failed("inspect", name, error) from error
            if stat.S_ISREG(info.st_mode) and info.st_mtime <= cutoff:
                removed += self._unlink(name, path)
        return removed

    def _walk(
        self, directory: Path, relative: str, prefix: str, *, temp_files: bool = False
    ) -> Iterator[str]:
        """The keys under ``directory`` that start with ``prefix``; or, with ``temp_files``,
        the relative paths of the temp files of unfinished writes, which no key can name."""
        # Lazy, unsorted: a directory may hold millions of images, and the order is not promised.
        try:
            scan = os.scandir(directory)
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as error:
            raise _failed("list", prefix, error) from error
        with scan:
            for entry in scan:
                key = f"{relative}/{entry.name}" if relative else entry.name
                if temp_files and entry.name.startswith(TEMP_PREFIX):
                    if entry.is_file(follow_symlinks=False):
                        yield key
                    continue
                if not is_valid_key(key):
                    continue  # temp files, hidden files, anything no key could name
                # Symlinks are neither listed nor followed: they could only lead somewhere refused.
                if entry.is_dir(follow_symlinks=False):
                    if key.startswith(prefix) or prefix.startswith(key + "/"):
                        yield from self._walk(Path(entry.path), key, prefix, temp_files=temp_files)
                elif (
                    not temp_files
                    and entry.is_file(follow_symlinks=False)
                    and key.startswith(prefix)
                ):
                    yield key

    def _path(self, key: str) -> Path:
        """Where ``key`` lives, refused unless it and its target both stay under the root.

        The parent is resolved but the last name is kept, so delete and replace act on the
        entry itself, even if it is a symlink (one pointing inside the root).
        """
        validate_key(key)
        candidate = self.root.joinpath(*key.split("/"))
        try:
            parent, target = candidate.parent.resolve(), candidate.resolve()
        except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
            raise StorageError(f"Could not resolve blob key {key!r}") from error
        if not (parent.is_relative_to(self.root) and target.is_relative_to(self.root)):
            raise StorageError(f"Blob key {key!r} resolves outside the store's root; refused")
        if target == self.root:
            raise StorageError(f"Blob key {key!r} resolves to the store's root; refused")
        return parent / candidate.name

    def _unlink(self, key: str, path: Path) -> bool:
        """Remove the file and any directories left empty; False if there was none."""
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return False
        except OSError as error:
            raise _failed("delete", key, error) from error
        directory = path.parent
        while directory != self.root:
            try:
                directory.rmdir()
            except OSError:
                break  # not empty (or gone): the usual way this loop ends
            directory = directory.parent
        return True


class _FileWriter(BlobWriter):
    def __init__(self, key: str, path: Path, temp: Path, file: BinaryIO) -> None:
        super().__init__(key)
        self._path = path
        self._temp = temp
        self._file = file

    def _write(self, chunk: bytes) -> None:
        try:
            self._file.write(chunk)
        except OSError as error:
            raise _failed("write", self.key, error) from error

    def _commit(self) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._temp, self._path)
            _fsync_directory(self._path.parent)  # makes the rename itself durable
        except OSError as error:
            raise _failed("commit", self.key, error) from error

    def _abort(self) -> None:
        # A failed flush or unlink must not mask the error that led here; a stray temp file
        # is harmless, as no key can name it, and the store's sweep removes it later.
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            self._temp.unlink(missing_ok=True)


def _make_temp_file(key: str, directory: Path) -> tuple[Path, BinaryIO]:
    for attempt in range(_TEMP_ATTEMPTS):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
        except FileNotFoundError as error:
            if attempt + 1 == _TEMP_ATTEMPTS:
                raise _failed("create", key, error) from error
        except OSError as error:
            raise _failed("create", key, error) from error
        else:
            return Path(name), open(fd, "wb")
    raise AssertionError("unreachable")


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _not_found(key: str) -> BlobNotFoundError:
    return BlobNotFoundError(f"No blob is stored at {key!r}")


def _failed(action: str, key: str, error: OSError) -> StorageError:
    # strerror, not str(error): the latter names the absolute path, which callers need not see.
    return StorageError(f"Could not {action} blob {key!r}: {error.strerror or 'I/O error'}")
