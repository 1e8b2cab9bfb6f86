"""``imgwired keys``: create, list and revoke API keys, through the services the API uses."""

from __future__ import annotations

import argparse
import uuid

from imgwired.accounts.api_keys import NewApiKey
from imgwired.container import Services
from imgwired.db.models import ApiKeyType
from imgwired.pagination import MAX_LIMIT, PageRequest

from .documents import created_key_document, listed_key_document
from .output import UsageError, emit_json, emit_pairs, emit_table


def create(args: argparse.Namespace, services: Services) -> int:
    environment = services.environments.find(services.organization.get().id, args.environment)
    key_type = ApiKeyType.SERVER if args.key_type == "server" else ApiKeyType.CLIENT
    settings_given = {
        "allow_unsigned_upload": args.allow_unsigned_upload,
        "maximum_upload_bytes": args.maximum_upload_bytes,
        "allowed_mime_types": _mime_types(args.allowed_mime_types),
        "maximum_pending_uploads": args.maximum_pending_uploads,
    }
    name = f"{args.key_type.capitalize()} key" if args.name is None else args.name
    issued = services.api_keys.create(environment.id, NewApiKey(name, key_type, (), settings_given))
    document = created_key_document(issued.key, issued.secret)
    if args.json:
        emit_json(document)
    else:
        print("The secret is shown once: store it now.\n")
        emit_pairs([(k, v) for k, v in document.items() if v is not None])
    return 0


def _mime_types(flag: str | None) -> list[str] | None:
    """The flag's comma-separated list, as the API's JSON list would hold it: an empty flag
    is an empty list (which the service refuses), never "every type", which is the flag left
    out."""
    if flag is None:
        return None
    return [entry.strip() for entry in flag.split(",")] if flag.strip() else []


def list_all(args: argparse.Namespace, services: Services) -> int:
    environment = services.environments.find(services.organization.get().id, args.environment)
    rows = []
    page = 1
    while True:
        result = services.api_keys.list(environment.id, None, PageRequest(page, MAX_LIMIT))
        rows += [listed_key_document(key) for key in result.items]
        if result.next_page is None:
            break
        page = result.next_page
    for row in rows:
        row["key"] = row["server_key"] or row["client_key"]
    if args.json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "name", "key_type", "key", "created_at"])
    return 0


def revoke(args: argparse.Namespace, services: Services) -> int:
    """Revoke a live key; a key that is unknown, another environment's or revoked already is
    an error (exit 1) whose sentence says which, as the API's DELETE answers."""
    try:
        key_id = uuid.UUID(args.key_id)
    except ValueError:
        raise UsageError(
            f"{args.key_id!r} is not a key id; `imgwired keys list` shows them"
        ) from None
    environment = services.environments.find(services.organization.get().id, args.environment)
    key = services.api_keys.revoke(environment.id, key_id)
    if args.json:
        emit_json({"id": key.id, "status": "revoked"})
    else:
        print(f"revoked {key.id} ({key.name})")
    return 0
