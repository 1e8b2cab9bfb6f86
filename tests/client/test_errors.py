"""Error answers become typed exceptions carrying the server's detail, error_type and request id."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI

from imgwired.accounts.api_keys import NewApiKey
from imgwired.client import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ImageStatus,
    ImgwireError,
    NotFoundError,
    PayloadTooLargeError,
    UnprocessableEntityError,
)
from imgwired.db.models import ApiKeyType
from tests.client.conftest import Connect
from tests.conftest import Tenant
from tests.images.helpers import jpeg


def test_a_missing_image_is_not_found(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)
    missing = uuid.uuid4()

    with pytest.raises(NotFoundError) as caught:
        sdk.images.retrieve(missing)

    error = caught.value
    assert error.status_code == 404
    assert error.error_type == "ImageNotFoundError"
    assert error.detail == f"Image {missing} was not found"
    assert error.request_id and error.request_id == error.response.headers["X-Request-Id"]
    assert str(error) == (
        f"404 ImageNotFoundError: Image {missing} was not found (request id {error.request_id})"
    )
    assert isinstance(error, APIStatusError) and isinstance(error, ImgwireError)


@pytest.mark.parametrize(
    ("key", "error_type"),
    [("sk_not_a_real_key", "InvalidApiKeyError"), ("client", "ClientKeyNotAllowedError")],
)
def test_a_wrong_key_is_an_authentication_error(
    connect: Connect, tenant: Tenant, key: str, error_type: str
) -> None:
    sdk = connect(tenant.client_key if key == "client" else key)

    with pytest.raises(AuthenticationError) as caught:
        sdk.images.list()

    assert caught.value.status_code == 401
    assert caught.value.error_type == error_type
    assert isinstance(caught.value.detail, str) and caught.value.detail


def test_the_admin_token_needs_an_environment(connect: Connect, tenant: Tenant) -> None:
    without = connect(tenant.admin_token)
    scoped = connect(tenant.admin_token, environment_id=str(tenant.environment_id))

    with pytest.raises(BadRequestError) as caught:
        without.images.list()

    assert caught.value.error_type == "EnvironmentRequiredError"
    assert "X-Environment-Id" in caught.value.message
    assert scoped.images.list().total == 0


def test_bytes_that_differ_from_the_declared_hash_are_refused(
    connect: Connect, tenant: Tenant
) -> None:
    sdk = connect(tenant.server_key)

    with pytest.raises(BadRequestError) as caught:
        sdk.images.upload(jpeg(), file_name="a.jpg", hash_sha256="0" * 64)

    assert caught.value.error_type == "UploadRejectedError"
    assert "SHA-256" in caught.value.message


def test_bytes_that_are_not_an_image_are_quarantined(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    image = sdk.images.upload(b"not an image" * 10, file_name="notes.jpg", wait=True)

    assert image.status == ImageStatus.QUARANTINE
    assert image.is_processed and not image.is_directly_deliverable


def test_an_invalid_request_lists_its_problems(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    with pytest.raises(UnprocessableEntityError) as caught:
        sdk.images.list(limit=1000)

    error = caught.value
    assert isinstance(error.detail, list)
    assert error.detail[0]["loc"] == ["query", "limit"]
    assert error.message.startswith("query.limit: ")


def test_an_idempotency_key_reused_for_another_upload_conflicts(
    connect: Connect, tenant: Tenant
) -> None:
    sdk = connect(tenant.server_key)
    sdk.images.upload(jpeg(), file_name="a.jpg", idempotency_key="k")

    with pytest.raises(ConflictError) as caught:
        sdk.images.upload(jpeg(), file_name="b.jpg", idempotency_key="k")

    assert caught.value.status_code == 409
    assert "idempotency_key" in caught.value.message


def test_a_file_over_the_keys_limit_is_payload_too_large(
    app: FastAPI, connect: Connect, tenant: Tenant
) -> None:
    limited = app.state.services.api_keys.create(
        tenant.environment_id,
        NewApiKey(
            "small uploads",
            ApiKeyType.CLIENT,
            settings={"allow_unsigned_upload": True, "maximum_upload_bytes": 5120},
        ),
    )
    photo = jpeg(1200, 900)
    assert len(photo) > 5120

    with pytest.raises(PayloadTooLargeError) as caught:
        connect(limited.secret).images.upload(photo, file_name="big.jpg")

    assert caught.value.status_code == 413
    assert "5120" in str(caught.value.detail)
    assert connect(tenant.server_key).images.list().total == 0
