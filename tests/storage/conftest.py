"""Every blob store backend behind one ``blob_store`` fixture, each on real components.

The filesystem backend writes under the test's ``tmp_path``. The S3 backend talks to moto's S3
server, started once per session in a child process on 127.0.0.1 (see ``moto_server.py``), with
a new bucket for each test and dummy credentials passed explicitly.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from imgwired.storage import BlobStore, FilesystemBlobStore
from imgwired.storage.filesystem import TEMP_PREFIX
from imgwired.storage.s3 import S3BlobStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CREDENTIALS = {"access_key_id": "test", "secret_access_key": "test-secret-never-shown"}
REGION = "us-east-1"
S3_PREFIX = "store-prefix"

Unpublished = Callable[[], list[str]]


@pytest.fixture(scope="session")
def s3_admin(s3_endpoint: str) -> Iterator[S3Client]:
    """A plain boto3 client for what tests check behind a store's back."""
    session = boto3.session.Session(
        aws_access_key_id=CREDENTIALS["access_key_id"],
        aws_secret_access_key=CREDENTIALS["secret_access_key"],
        region_name=REGION,
    )
    client = session.client("s3", endpoint_url=s3_endpoint)
    yield client
    client.close()


@pytest.fixture
def s3_bucket(s3_admin: S3Client) -> str:
    """A new, empty bucket."""
    name = f"test-{uuid.uuid4().hex}"
    s3_admin.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_store(s3_endpoint: str, s3_bucket: str) -> Iterator[S3BlobStore]:
    store = S3BlobStore(
        bucket=s3_bucket, endpoint_url=s3_endpoint, region=REGION, prefix=S3_PREFIX, **CREDENTIALS
    )
    _report_when_uploads_began(store)
    yield store
    store.close()


def _report_when_uploads_began(store: S3BlobStore) -> None:
    """moto reports every multipart upload as begun in 2010: have the store's client see when
    its own uploads really began, as a real server would tell it."""
    begun: dict[str, datetime] = {}

    def remember(parsed: dict[str, Any], **_: object) -> None:
        begun[parsed["UploadId"]] = datetime.now(UTC)

    def report(parsed: dict[str, Any], **_: object) -> None:
        for upload in parsed.get("Uploads", []):
            upload["Initiated"] = begun.get(upload["UploadId"], upload["Initiated"])

    events = store._client.meta.events
    events.register("after-call.s3.CreateMultipartUpload", remember)
    events.register("after-call.s3.ListMultipartUploads", report)


@pytest.fixture
def fs_store(tmp_path: Path) -> FilesystemBlobStore:
    return FilesystemBlobStore(tmp_path / "blobs")


@pytest.fixture(params=["filesystem", "s3"])
def blob_store(request: pytest.FixtureRequest) -> BlobStore:
    """Each backend in turn; the S3 server starts only if an S3 test runs."""
    name = "fs_store" if request.param == "filesystem" else "s3_store"
    store: BlobStore = request.getfixturevalue(name)
    return store


@pytest.fixture(params=["filesystem", "s3"])
def broken_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    """Each backend where it cannot store: a root under a file, or a bucket that does not exist."""
    if request.param == "filesystem":
        (tmp_path / "a-file").write_bytes(b"")
        yield FilesystemBlobStore(tmp_path / "a-file" / "blobs")
        return
    endpoint: str = request.getfixturevalue("s3_endpoint")
    store = S3BlobStore(
        bucket=f"missing-{uuid.uuid4().hex}", endpoint_url=endpoint, region=REGION, **CREDENTIALS
    )
    yield store
    store.close()


@pytest.fixture
def unpublished(blob_store: BlobStore, request: pytest.FixtureRequest) -> Unpublished:
    """What the backend holds that no reader sees: temp files, or unfinished multipart uploads."""
    if isinstance(blob_store, FilesystemBlobStore):
        root = blob_store.root

        def temp_files() -> list[str]:
            return sorted(str(p) for p in root.rglob(f"{TEMP_PREFIX}*")) if root.exists() else []

        return temp_files
    assert isinstance(blob_store, S3BlobStore)
    admin: S3Client = request.getfixturevalue("s3_admin")
    bucket = blob_store.bucket

    def uploads() -> list[str]:
        response = admin.list_multipart_uploads(Bucket=bucket)
        return sorted(upload["Key"] for upload in response.get("Uploads", []))

    return uploads


@pytest.fixture
def no_io(blob_store: BlobStore, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many I/O calls the backend has made since: filesystem calls, or S3 requests sent."""
    calls: list[str] = []
    if isinstance(blob_store, S3BlobStore):

        def count_request(event_name: str, **_: object) -> None:
            calls.append(event_name)

        # The private client, because the wire is what this fixture watches.
        blob_store._client.meta.events.register("before-send.s3", count_request)
        return lambda: len(calls)

    def counting(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return original(*args, **kwargs)

        return wrapper

    for name in ("resolve", "stat", "open", "unlink", "mkdir", "rmdir", "is_file"):
        monkeypatch.setattr(Path, name, counting(name, getattr(Path, name)))
    monkeypatch.setattr(os, "scandir", counting("scandir", os.scandir))
    return lambda: len(calls)
