"""Every images test runs twice: on the filesystem blob store and on S3 (moto on loopback)."""

from __future__ import annotations

import uuid

import boto3
import pytest

from imgwired.config import Settings


@pytest.fixture(params=["filesystem", "s3"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "filesystem":
        return settings
    endpoint: str = request.getfixturevalue("s3_endpoint")
    bucket = f"images-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test-secret",
    )
    s3.create_bucket(Bucket=bucket)
    s3.close()
    url = (
        f"s3://{bucket}/blobs?endpoint_url={endpoint}&region=us-east-1"
        "&access_key_id=test&secret_access_key=test-secret"
    )
    return settings.model_copy(update={"blob_store_url": url})
