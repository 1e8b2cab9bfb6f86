"""Choosing a blob store from one URL, the ``IMGWIRED_BLOB_STORE_URL`` setting.

- ``""`` (the default): files under ``<data_dir>/blobs``.
- A path, or ``file://`` followed by a path (``file:///srv/blobs``, ``file://blobs``): files
  there. A relative path is relative to the working directory, as ``data_dir`` is.
- ``s3://bucket/optional/prefix?endpoint_url=http://127.0.0.1:9000&region=us-east-1``: objects
  in ``bucket`` under ``optional/prefix/``. Credentials come from boto3's usual chain
  (``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``, ``~/.aws``, an instance role) unless the
  query gives both ``access_key_id`` and ``secret_access_key``.

Anything else with ``://`` is refused, as is an unknown or repeated query parameter: a typo
should fail at start-up, not send blobs somewhere unexpected. Error details name parameters,
never their values, since a URL may carry a secret.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from imgwired.storage.base import BlobStore, InvalidBlobKeyError, StorageError
from imgwired.storage.filesystem import FilesystemBlobStore

_S3_PARAMETERS = frozenset({"endpoint_url", "region", "access_key_id", "secret_access_key"})


def blob_store_from_url(url: str, *, data_dir: Path) -> BlobStore:
    """The blob store ``url`` describes (see the module docstring); no I/O happens yet."""
    url = url.strip()
    if not url:
        return FilesystemBlobStore(data_dir / "blobs")
    if url.startswith("file://"):
        path = url.removeprefix("file://")
        if not path:
            raise StorageError("A file:// blob store URL needs a path after file://")
        return FilesystemBlobStore(Path(path))
    if url.startswith("s3://"):
        return _s3_store(url)
    if "://" in url:
        scheme = url.partition("://")[0]
        raise StorageError(
            f"Blob store URLs with scheme {scheme!r} are not supported; use a path, "
            "file://<path> or s3://<bucket>/<prefix>"
        )
    return FilesystemBlobStore(Path(url))


def _s3_store(url: str) -> BlobStore:
    parts = urlsplit(url)
    bucket = parts.netloc
    if not bucket or "@" in bucket or ":" in bucket:
        raise StorageError("An s3:// blob store URL needs a bucket name: s3://<bucket>/<prefix>")
    options: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name not in _S3_PARAMETERS:
            known = ", ".join(sorted(_S3_PARAMETERS))
            raise StorageError(f"Unknown s3:// blob store URL parameter {name!r}; known: {known}")
        if name in options:
            raise StorageError(f"The s3:// blob store URL repeats the parameter {name!r}")
        options[name] = value
    if ("access_key_id" in options) != ("secret_access_key" in options):
        raise StorageError(
            "An s3:// blob store URL gives access_key_id and secret_access_key together or not "
            "at all"
        )
    prefix = unquote(parts.path).strip("/")
    # Imported here so that boto3 loads only for installs that store blobs in S3.
    from imgwired.storage.s3 import S3BlobStore

    try:
        return S3BlobStore(
            bucket=bucket,
            prefix=prefix,
            endpoint_url=options.get("endpoint_url") or None,
            region=options.get("region") or None,
            access_key_id=options.get("access_key_id"),
            secret_access_key=options.get("secret_access_key"),
        )
    except InvalidBlobKeyError as error:
        raise StorageError(f"The s3:// blob store URL has an invalid prefix: {error}") from None
