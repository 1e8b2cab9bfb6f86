"""What only the S3 backend promises: part sizes, its key prefix, temp files, error details."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from imgwired.storage import BlobNotFoundError, InvalidBlobKeyError, StorageError, s3
from imgwired.storage.s3 import PART_SIZE, S3BlobStore
from tests.storage.conftest import CREDENTIALS, REGION, S3_PREFIX

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MIB = 1024 * 1024


def parts_of(admin: S3Client, store: S3BlobStore, key: str) -> int:
    """How many parts S3 assembled the object from: 1 for a plain PutObject."""
    etag = admin.head_object(Bucket=store.bucket, Key=f"{S3_PREFIX}/{key}")["ETag"].strip('"')
    return int(etag.partition("-")[2] or 1)


@pytest.mark.parametrize(
    ("size", "parts"),
    [(PART_SIZE - 1, 1), (PART_SIZE, 1), (PART_SIZE + 1, 2), (20 * MIB, 3)],
    ids=["under-one-part", "one-part", "just-over", "20MiB"],
)
def test_large_blobs_go_up_in_parts(
    s3_store: S3BlobStore, s3_admin: S3Client, size: int, parts: int
) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    with s3_store.writer("k") as writer:
        for start in range(0, size, MIB):
            writer.write(data[start : start + MIB])
        writer.commit()
    assert parts_of(s3_admin, s3_store, "k") == parts
    assert s3_store.read_bytes("k") == data


def test_keys_live_under_the_prefix_and_nothing_else_is_seen(
    s3_store: S3BlobStore, s3_admin: S3Client
) -> None:
    s3_admin.put_object(Bucket=s3_store.bucket, Key="elsewhere/k", Body=b"not the store's")
    s3_admin.put_object(Bucket=s3_store.bucket, Key=f"{S3_PREFIX}/folder/", Body=b"")
    s3_store.put_bytes("env/k", b"mine")

    listed = s3_admin.list_objects_v2(Bucket=s3_store.bucket)["Contents"]
    assert sorted(item["Key"] for item in listed) == [
        "elsewhere/k",
        f"{S3_PREFIX}/env/k",
        f"{S3_PREFIX}/folder/",
    ]
    assert list(s3_store.list_prefix()) == ["env/k"]  # the folder marker is no key
    with pytest.raises(BlobNotFoundError):
        s3_store.read_chunks("elsewhere/k")
    assert s3_store.delete_prefix("env/") == 1
    assert s3_admin.get_object(Bucket=s3_store.bucket, Key="elsewhere/k")["Body"].read()


def test_only_unfinished_uploads_under_the_prefix_are_aborted(
    s3_store: S3BlobStore, s3_admin: S3Client
) -> None:
    bucket = s3_store.bucket
    # Another application's upload beside the prefix, and an old one of this store's.
    theirs = s3_admin.create_multipart_upload(Bucket=bucket, Key="elsewhere/big")["UploadId"]
    s3_admin.create_multipart_upload(Bucket=bucket, Key=f"{S3_PREFIX}/env/img/original")

    assert s3_store.abort_abandoned_writes(timedelta(0)) == 1

    left = s3_admin.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in left] == [("elsewhere/big", theirs)]


def test_delete_prefix_works_through_many_pages(
    s3_store: S3BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Smaller pages than S3's 1000, so that a few dozen keys take several pages and batches.
    monkeypatch.setattr(s3, "PAGE_SIZE", 10)
    for number in range(25):
        s3_store.put_bytes(f"many/{number:02}", b"")
    s3_store.put_bytes("kept", b"")

    sent: list[str] = []
    s3_store._client.meta.events.register(
        "before-send.s3", lambda event_name, **_: sent.append(event_name.rpartition(".")[2])
    )

    assert len(list(s3_store.list_prefix("many/"))) == 25
    assert s3_store.delete_prefix("many/") == 25
    assert sent.count("ListObjectsV2") == 3 + 3
    assert sent.count("DeleteObjects") == 3
    assert list(s3_store.list_prefix()) == ["kept"]


def test_local_path_is_a_temp_copy_removed_afterwards(s3_store: S3BlobStore) -> None:
    s3_store.put_bytes("env/img/original.png", b"png bytes")
    with s3_store.local_path("env/img/original.png") as path:
        assert path.suffix == ".png"
        assert path.read_bytes() == b"png bytes"
    assert not path.exists()

    with pytest.raises(RuntimeError), s3_store.local_path("env/img/original.png") as path:
        raise RuntimeError("the image tool failed")
    assert not path.exists()


def test_vendor_errors_become_storage_errors_without_secrets(s3_endpoint: str) -> None:
    with S3BlobStore(
        bucket="no-such-bucket", endpoint_url=s3_endpoint, region=REGION, **CREDENTIALS
    ) as store:
        for attempt in (
            lambda: store.put_bytes("k", b"x"),
            lambda: list(store.list_prefix()),
            lambda: store.delete_prefix("k/"),
        ):
            with pytest.raises(StorageError) as caught:
                attempt()
            detail = caught.value.detail
            assert "no-such-bucket" in detail
            assert "NoSuchBucket" in detail
            assert CREDENTIALS["secret_access_key"] not in detail


def test_a_failed_commit_aborts_the_upload(
    s3_endpoint: str, s3_admin: S3Client, s3_bucket: str
) -> None:
    store = S3BlobStore(bucket=s3_bucket, endpoint_url=s3_endpoint, region=REGION, **CREDENTIALS)
    with store:
        writer = store.writer("k")
        writer.write(b"x" * (PART_SIZE + 1))
        # An upload whose parts list is wrong makes CompleteMultipartUpload fail.
        writer._parts[0]["ETag"] = '"0000"'  # type: ignore[attr-defined]
        with pytest.raises(StorageError, match="'k'"):
            writer.commit()
        assert s3_admin.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []
        assert not store.exists("k")


def test_a_missing_bucket_or_invalid_prefix_is_refused(s3_endpoint: str) -> None:
    with pytest.raises(StorageError, match="bucket"):
        S3BlobStore(bucket="", endpoint_url=s3_endpoint)
    with pytest.raises(InvalidBlobKeyError):
        S3BlobStore(bucket="b", endpoint_url=s3_endpoint, prefix="../up")


@pytest.mark.parametrize("calculation", ["when_supported", "when_required"])
def test_multipart_works_with_and_without_default_checksums(
    s3_endpoint: str, s3_bucket: str, monkeypatch: pytest.MonkeyPatch, calculation: str
) -> None:
    # Some S3-compatible servers need "when_required"; boto3 reads it from the environment.
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", calculation)
    data = b"y" * (PART_SIZE + 1)
    with S3BlobStore(
        bucket=s3_bucket, endpoint_url=s3_endpoint, region=REGION, **CREDENTIALS
    ) as store:
        store.put_bytes("k", data)
        assert store.read_bytes("k") == data
