"""Blobs as objects in an S3 (or S3-compatible) bucket, under an optional key prefix.

A writer buffers at most one 8 MiB part: a blob smaller than that is sent by one PutObject on
commit, a larger one by a multipart upload whose completion publishes it. S3 makes both atomic,
so readers see the old object or the new one. A multipart upload that a crash left unfinished
is aborted by ``abort_abandoned_writes``, by its age. Vendor errors become StorageError details
that name the bucket and key, the S3 error code and message, and never a credential.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import boto3
import urllib3.exceptions
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

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

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef, ObjectIdentifierTypeDef

log = logging.getLogger("imgwired.storage")

PART_SIZE = 8 * 1024 * 1024
PAGE_SIZE = 1000  # keys per listing page, and so per DeleteObjects call (its limit is 1000)
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
_VENDOR_ERRORS = (ClientError, BotoCoreError, urllib3.exceptions.HTTPError, OSError)


class S3BlobStore(BlobStore):
    """Blobs as objects in ``bucket`` under ``prefix``; credentials default to boto3's chain."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
    ) -> None:
        if not bucket:
            raise StorageError("An S3 blob store needs a bucket name")
        self.bucket = bucket
        prefix = prefix.strip("/")
        self.prefix = (validate_key(prefix) + "/") if prefix else ""
        # A private session: boto3's default session is shared and not thread-safe, while the
        # client made from it here is, and is made once (no network I/O happens until a call).
        session = boto3.session.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._client: S3Client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            # Worker threads share the client: as many connections as anyio's default limit
            # of 40 threads could use at once.
            # A store that does not answer is known in seconds (start-up checks, /health), not
            # after botocore's default minute; a slow transfer still has a minute per read.
            config=Config(
                max_pool_connections=40,
                retries={"mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
            ),
        )

    def writer(self, key: str) -> BlobWriter:
        return _S3Writer(self, validate_key(key))

    def read_chunks(self, key: str, chunk_size: int = CHUNK_SIZE) -> BlobChunks:
        validate_key(key)
        try:
            body = self._client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"]
        except _VENDOR_ERRORS as error:
            self._raise("read", key, error)
        return owned_chunks(
            body, chunk_size, vendor_errors=_VENDOR_ERRORS, detail=f"S3 read of {key!r} failed"
        )

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        with closing(self.read_chunks(key)) as chunks, ExitStack() as cleanup:
            try:
                # The suffix is kept because some image tools judge a file by its extension.
                file = cleanup.enter_context(
                    tempfile.NamedTemporaryFile(prefix="imgwired-blob-", suffix=Path(key).suffix)
                )
                for chunk in chunks:
                    file.write(chunk)
                file.flush()
            except OSError as error:
                raise StorageError(f"Could not copy blob {key!r} to a local file") from error
            chunks.close()  # the connection goes back to the pool before the caller's work
            yield Path(file.name)

    def size(self, key: str) -> int:
        validate_key(key)
        try:
            return self._client.head_object(Bucket=self.bucket, Key=self.prefix + key)[
                "ContentLength"
            ]
        except _VENDOR_ERRORS as error:
            self._raise("inspect", key, error)

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except BlobNotFoundError:
            return False
        return True

    def delete(self, key: str) -> None:
        validate_key(key)
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self.prefix + key)
        except _VENDOR_ERRORS as error:
            self._raise("delete", key, error)

    def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix, allow_empty=False)
        removed = 0
        # One DeleteObjects per listed page of at most PAGE_SIZE keys.
        for page in self._pages(prefix):
            objects: list[ObjectIdentifierTypeDef] = [{"Key": item["Key"]} for item in page]
            if not objects:
                continue
            try:
                response = self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
                )
            except _VENDOR_ERRORS as error:
                self._raise("delete", prefix, error)
            errors = response.get("Errors", [])
            if errors:
                first = errors[0]
                raise StorageError(
                    f"S3 could not delete {len(errors)} blob(s) under {prefix!r} in bucket "
                    f"{self.bucket!r}: {first.get('Code', '')} {first.get('Message', '')}".rstrip()
                )
            removed += len(objects)
        return removed

    def list_prefix(self, prefix: str = "") -> Iterator[str]:
        validate_prefix(prefix)
        return self._keys(prefix)

    def abort_abandoned_writes(self, older_than: timedelta) -> int:
        """Abort the multipart uploads under the prefix begun more than ``older_than`` ago."""
        cutoff = datetime.now(UTC) - older_than
        stale: list[tuple[str, str]] = []
        pages = self._client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        try:
            for page in pages:
                for upload in page.get("Uploads", []):
                    if upload["Initiated"] <= cutoff:
                        stale.append((upload["Key"], upload["UploadId"]))
        except _VENDOR_ERRORS as error:
            self._raise("list the unfinished uploads under", self.prefix, error)
        aborted = 0
        for object_key, upload_id in stale:
            try:
                self._client.abort_multipart_upload(
                    Bucket=self.bucket, Key=object_key, UploadId=upload_id
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "NoSuchUpload":
                    continue  # completed, or aborted by another sweep, since it was listed
                self._raise("abort the unfinished upload of", object_key, error)
            except _VENDOR_ERRORS as error:
                self._raise("abort the unfinished upload of", object_key, error)
            aborted += 1
        return aborted

    def close(self) -> None:
        self._client.close()

    def _keys(self, prefix: str) -> Iterator[str]:
        for page in self._pages(prefix):
            for item in page:
                key = item["Key"].removeprefix(self.prefix)
                if is_valid_key(key):  # skips objects no key could name, like "folder/" markers
                    yield key

    def _pages(self, prefix: str) -> Iterator[list[ObjectIdentifierTypeDef]]:
        paginator = self._client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.bucket,
            Prefix=self.prefix + prefix,
            PaginationConfig={"PageSize": PAGE_SIZE},
        )
        try:
            for page in pages:
                yield [{"Key": item["Key"]} for item in page.get("Contents", [])]
        except _VENDOR_ERRORS as error:
            self._raise("list", prefix, error)

    def _raise(self, action: str, key: str, error: Exception) -> NoReturn:
        """Re-raise a vendor error as BlobNotFoundError or StorageError."""
        if isinstance(error, ClientError):
            details = error.response.get("Error", {})
            code, message = details.get("Code", ""), details.get("Message", "")
            if code in _NOT_FOUND_CODES:
                raise BlobNotFoundError(f"No blob is stored at {key!r}") from error
            reason = f"{code} {message}".strip() or "unknown error"
        else:
            # Only the class name: connection errors repeat the endpoint URL, which may carry
            # user information; the chained exception keeps the rest for the logs.
            reason = type(error).__name__
        raise StorageError(
            f"S3 could not {action} {key!r} in bucket {self.bucket!r}: {reason}"
        ) from error


class _S3Writer(BlobWriter):
    def __init__(self, store: S3BlobStore, key: str) -> None:
        super().__init__(key)
        self._store = store
        self._object_key = store.prefix + key
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[CompletedPartTypeDef] = []

    def _write(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        # The buffer is filled to exactly one part and sent, so it never holds more than that.
        while view:
            room = PART_SIZE - len(self._buffer)
            self._buffer += view[:room]
            view = view[room:]
            if len(self._buffer) == PART_SIZE:
                self._send_part()

    def _commit(self) -> None:
        client, bucket = self._store._client, self._store.bucket
        try:
            if self._upload_id is None:
                body, self._buffer = bytes(self._buffer), bytearray()
                client.put_object(Bucket=bucket, Key=self._object_key, Body=body)
                return
            if self._buffer:
                self._send_part()
            client.complete_multipart_upload(
                Bucket=bucket,
                Key=self._object_key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
            self._upload_id = None  # completed: there is nothing left to abort
        except _VENDOR_ERRORS as error:
            self._store._raise("write", self.key, error)

    def _abort(self) -> None:
        self._buffer = bytearray()
        if self._upload_id is None:
            return
        upload_id, self._upload_id = self._upload_id, None
        try:
            self._store._client.abort_multipart_upload(
                Bucket=self._store.bucket, Key=self._object_key, UploadId=upload_id
            )
        except _VENDOR_ERRORS:
            # Not raised: an abort runs while another error propagates. The store's sweep
            # (abort_abandoned_writes) collects what is left.
            log.warning("could not abort the S3 upload of %r", self.key, exc_info=True)

    def _send_part(self) -> None:
        client, bucket = self._store._client, self._store.bucket
        body, self._buffer = bytes(self._buffer), bytearray()
        try:
            if self._upload_id is None:
                self._upload_id = self._create_upload()
            number = len(self._parts) + 1
            sent = client.upload_part(
                Bucket=bucket,
                Key=self._object_key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=body,
            )
        except _VENDOR_ERRORS as error:
            self._store._raise("write", self.key, error)
        part: CompletedPartTypeDef = {"ETag": sent["ETag"], "PartNumber": number}
        if "ChecksumCRC32" in sent:  # boto3 sends one by default; completion must repeat it
            part["ChecksumCRC32"] = sent["ChecksumCRC32"]
        self._parts.append(part)

    def _create_upload(self) -> str:
        client = self._store._client
        # getattr: the botocore stubs predate this setting (env AWS_REQUEST_CHECKSUM_CALCULATION).
        calculation = getattr(client.meta.config, "request_checksum_calculation", None)
        if calculation == "when_supported":
            # As boto3's transfer manager does: by default each part carries a CRC32, which S3
            # accepts at completion only from an upload created for that algorithm.
            created = client.create_multipart_upload(
                Bucket=self._store.bucket, Key=self._object_key, ChecksumAlgorithm="CRC32"
            )
        else:
            created = client.create_multipart_upload(
                Bucket=self._store.bucket, Key=self._object_key
            )
        return created["UploadId"]
