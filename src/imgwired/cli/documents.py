"""What the CLI prints for environments and keys: the fields the API answers with, so a script
reads the same document from either face (``tests/cli`` compares them)."""

from __future__ import annotations

from typing import Any

from imgwired.db.models import ApiKey, ApiKeyType, Environment


def environment_document(environment: Environment) -> dict[str, Any]:
    return {
        "id": environment.id,
        "organization_id": environment.organization_id,
        "name": environment.name,
        "default": environment.default,
        "created_at": environment.created_at,
        "updated_at": environment.updated_at,
    }


def listed_key_document(key: ApiKey) -> dict[str, Any]:
    """A key as listed: its secret masked to prefix and last four characters."""
    server = key.key_type is ApiKeyType.SERVER
    return {
        **_key_fields(key),
        "client_key": None if server else key.masked(),
        "server_key": key.masked() if server else None,
    }


def created_key_document(key: ApiKey, secret: str) -> dict[str, Any]:
    """A key just created: the only document that carries its whole secret."""
    server = key.key_type is ApiKeyType.SERVER
    return {
        **_key_fields(key),
        "client_key": None if server else secret,
        "server_key_last4": key.secret_last4 if server else None,
        "server_key": secret if server else None,
    }


def _key_fields(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "environment_id": key.environment_id,
        "name": key.name,
        "key_type": key.key_type.value,
        **key.client_settings(),
        "scopes": list(key.scopes),
        "created_at": key.created_at,
        "updated_at": key.updated_at,
    }
