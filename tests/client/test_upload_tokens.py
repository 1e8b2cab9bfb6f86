"""Upload tokens: a server key mints one, a client key that needs one uploads with it once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from imgwired.client import AuthenticationError, ImageStatus
from tests.client.conftest import Connect
from tests.conftest import Tenant
from tests.images.helpers import jpeg


def test_a_client_key_uploads_with_a_token_once(connect: Connect, tenant: Tenant) -> None:
    server_sdk = connect(tenant.server_key)
    browser_sdk = connect(tenant.client_key)

    token = server_sdk.images.create_upload_token()
    image = browser_sdk.images.upload(
        jpeg(40, 20), file_name="a.jpg", upload_token=token, wait=True
    )

    assert token.token and token.used_at is None
    assert token.expires_at > datetime.now(UTC)
    assert token.environment_id == tenant.environment_id
    assert (image.status, image.width, image.height) == (ImageStatus.READY, 40, 20)
    assert image.upload_token_id == token.id
    with pytest.raises(AuthenticationError) as caught:  # single use
        browser_sdk.images.upload(jpeg(), file_name="b.jpg", upload_token=token.token)
    assert caught.value.error_type == "UploadTokenError"


def test_a_client_key_that_needs_a_token_cannot_upload_without_one(
    connect: Connect, tenant: Tenant
) -> None:
    browser_sdk = connect(tenant.client_key)

    with pytest.raises(AuthenticationError) as caught:
        browser_sdk.images.upload(jpeg(), file_name="a.jpg")

    assert caught.value.error_type == "UploadTokenError"


def test_only_a_server_key_mints_tokens(connect: Connect, tenant: Tenant) -> None:
    with pytest.raises(AuthenticationError) as caught:
        connect(tenant.client_key).images.create_upload_token()

    assert caught.value.error_type == "ClientKeyNotAllowedError"
