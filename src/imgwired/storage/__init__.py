"""Where image bytes live: one BlobStore interface, a filesystem and an S3 backend.

``blob_store_from_url()`` picks the backend from the ``blob_store_url`` setting. The API is
synchronous (callers run it in worker threads) and streams: writes go through a BlobWriter that
publishes atomically on ``commit()``; reads come as chunks, or as a local file for tools that
need a path. Errors::

    ImgwiredError
    ├── StorageError           the backend failed (I/O, S3); the detail never holds a secret
    ├── BlobNotFoundError      a read of a key that holds no blob
    └── InvalidBlobKeyError    a key that breaks the rules of ``validate_key()``, refused before I/O
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from imgwired.storage.base import (
    CHUNK_SIZE,
    BlobChunks,
    BlobNotFoundError,
    BlobStore,
    BlobWriter,
    InvalidBlobKeyError,
    StorageError,
    is_valid_key,
    validate_key,
    validate_prefix,
)
from imgwired.storage.factory import blob_store_from_url
from imgwired.storage.filesystem import FilesystemBlobStore

if TYPE_CHECKING:
    from imgwired.storage.s3 import S3BlobStore

__all__ = [
    "CHUNK_SIZE",
    "BlobChunks",
    "BlobNotFoundError",
    "BlobStore",
    "BlobWriter",
    "FilesystemBlobStore",
    "InvalidBlobKeyError",
    "S3BlobStore",
    "StorageError",
    "blob_store_from_url",
    "is_valid_key",
    "validate_key",
    "validate_prefix",
]


def __getattr__(name: str) -> Any:
    # S3BlobStore is loaded on first use so that filesystem-only installs never import boto3.
    if name == "S3BlobStore":
        from imgwired.storage.s3 import S3BlobStore

        return S3BlobStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
