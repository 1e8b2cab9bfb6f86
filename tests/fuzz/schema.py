"""The OpenAPI document the fuzz suite generates from: ours, as the app serves it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from imgwired.config import Settings
from imgwired.web.app import create_app

# Operations that would reach beyond loopback: a URL fetch and a DNS query.
BEYOND_LOOPBACK = ["Images_uploadViaUrl", "CustomDomain_testConnection"]


def served_document() -> dict[str, Any]:
    """``/openapi.json`` of an app that is built but never started: no database is opened.

    Tests are generated when the module is collected, before any fixture exists, hence an app of
    its own; ``test_the_fuzzed_document_is_the_served_one`` checks it matches the fixtures' app.
    """
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=Path(scratch), database_url=f"sqlite:///{scratch}/unused.db")
        document: dict[str, Any] = create_app(settings).openapi()
    return document


def fuzzed_schema() -> OpenApiSchema:
    schema = schemathesis.openapi.from_dict(served_document())
    return schema.exclude(operation_id=BEYOND_LOOPBACK)
