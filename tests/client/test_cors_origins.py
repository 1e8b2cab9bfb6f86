"""``client.cors_origins``: the contract's five operations and their errors."""

from __future__ import annotations

import uuid

import pytest

from imgwired.client import ConflictError, CorsOrigin, NotFoundError, UnprocessableEntityError
from tests.client.conftest import Connect
from tests.conftest import Tenant


def test_create_list_retrieve_update_delete(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    created = sdk.cors_origins.create("https://APP.Example.com")
    other = sdk.cors_origins.create("https://*.example.org")

    assert isinstance(created, CorsOrigin)
    assert created.pattern == "https://app.example.com"
    assert created.environment_id == tenant.environment_id
    assert sdk.cors_origins.retrieve(created.id) == created
    page = sdk.cors_origins.list(limit=1)
    assert (page.total, len(page), page.next_page) == (2, 1, 2)
    assert {origin.id for origin in sdk.cors_origins.list_all(limit=1)} == {created.id, other.id}

    updated = sdk.cors_origins.update(created.id, pattern="https://admin.example.com")

    assert (updated.id, updated.pattern) == (created.id, "https://admin.example.com")
    assert sdk.cors_origins.delete(created.id)["status"] == "deleted"
    with pytest.raises(NotFoundError):
        sdk.cors_origins.retrieve(created.id)
    assert [origin.id for origin in sdk.cors_origins.list()] == [other.id]


def test_duplicates_bad_patterns_and_unknown_ids_are_refused(
    connect: Connect, tenant: Tenant
) -> None:
    sdk = connect(tenant.server_key)
    sdk.cors_origins.create("https://app.example.com")

    with pytest.raises(ConflictError):
        sdk.cors_origins.create("https://app.example.com")
    with pytest.raises(UnprocessableEntityError) as caught:
        sdk.cors_origins.create("not a pattern")
    assert caught.value.error_type
    with pytest.raises(NotFoundError):
        sdk.cors_origins.delete(uuid.uuid4())
