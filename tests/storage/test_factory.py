"""Choosing a blob store from the ``blob_store_url`` setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgwired.storage import FilesystemBlobStore, StorageError, blob_store_from_url
from imgwired.storage.s3 import S3BlobStore
from tests.storage.conftest import CREDENTIALS, REGION


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("", "data/blobs"),
        ("  ", "data/blobs"),
        ("/srv/imgwired/blobs", "/srv/imgwired/blobs"),
        ("relative/blobs", "relative/blobs"),
        ("file:///srv/imgwired/blobs", "/srv/imgwired/blobs"),
        ("file://relative/blobs", "relative/blobs"),
    ],
)
def test_paths_and_file_urls_make_a_filesystem_store(url: str, root: str) -> None:
    store = blob_store_from_url(url, data_dir=Path("data"))
    assert isinstance(store, FilesystemBlobStore)
    assert store.root == Path(root).resolve()


def test_an_s3_url_names_bucket_prefix_endpoint_and_credentials(
    s3_endpoint: str, s3_bucket: str
) -> None:
    url = (
        f"s3://{s3_bucket}/tenant/blobs/?endpoint_url={s3_endpoint}&region={REGION}"
        f"&access_key_id={CREDENTIALS['access_key_id']}"
        f"&secret_access_key={CREDENTIALS['secret_access_key']}"
    )
    with blob_store_from_url(url, data_dir=Path("data")) as store:
        assert isinstance(store, S3BlobStore)
        assert (store.bucket, store.prefix) == (s3_bucket, "tenant/blobs/")
        store.put_bytes("k", b"through the URL")
        assert store.read_bytes("k") == b"through the URL"


def test_s3_credentials_default_to_the_standard_environment(
    s3_endpoint: str, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-env-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    url = f"s3://{s3_bucket}?endpoint_url={s3_endpoint}"
    with blob_store_from_url(url, data_dir=Path("data")) as store:
        store.put_bytes("k", b"signed with the environment's keys")
        assert store.exists("k")


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("ftp://host/blobs", "scheme 'ftp'"),
        ("file://", "needs a path"),
        ("s3://", "needs a bucket"),
        ("s3:///prefix", "needs a bucket"),
        ("s3://key:hunter2@bucket", "needs a bucket"),
        ("s3://bucket?endpoint=http://x", "Unknown .* 'endpoint'"),
        ("s3://bucket?region=a&region=b", "repeats .* 'region'"),
        ("s3://bucket?secret_access_key=hunter2", "together or not at all"),
        ("s3://bucket/../up", "invalid prefix"),
    ],
)
def test_a_url_that_cannot_be_right_is_refused_without_echoing_secrets(
    url: str, complaint: str
) -> None:
    with pytest.raises(StorageError, match=complaint) as caught:
        blob_store_from_url(url, data_dir=Path("data"))
    assert "hunter2" not in caught.value.detail
