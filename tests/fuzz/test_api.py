"""Every operation, fed what our OpenAPI allows and what it does not, with a server key and with
the admin token: never a 5xx, and every answer is one our OpenAPI documents, in its shape.

Requests go in-process to the fixtures' app (a real database, the real middleware), through the
same test client as the rest of the suite. Left out: operations that fetch beyond loopback.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Tenant
from tests.fuzz.conftest import FuzzBudget
from tests.fuzz.schema import fuzzed_schema, served_document

schema = fuzzed_schema()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

FUZZ = settings(
    max_examples=int(os.environ.get("IMGWIRED_FUZZ_EXAMPLES", "15")),
    derandomize=os.environ.get("IMGWIRED_FUZZ_RANDOM") != "1",
    database=None,
    deadline=None,
    # One app and database per operation serve all its examples, on purpose: state builds up.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def send(client: TestClient, case: Case, credentials: dict[str, str], budget: FuzzBudget) -> None:
    """Send ``case`` as generated, with ``credentials`` on top, and check the answer."""
    if not budget.allows(case.operation.label):
        return
    prepared = case.as_transport_kwargs(base_url="http://testserver")
    request: dict[str, Any] = {
        "method": prepared["method"],
        "url": prepared["url"],
        "headers": {**prepared.get("headers", {}), **credentials},
        "params": prepared.get("params"),
    }
    if "json" in prepared:
        request["json"] = prepared["json"]
    if "data" in prepared:
        request["content"] = prepared["data"]
    response = client.request(**request)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_with_a_server_key(
    case: Case, client: TestClient, tenant: Tenant, fuzz_budget: FuzzBudget
) -> None:
    send(client, case, tenant.server, fuzz_budget)


@schema.parametrize()
@FUZZ
def test_with_the_admin_token(
    case: Case, client: TestClient, tenant: Tenant, fuzz_budget: FuzzBudget
) -> None:
    send(client, case, tenant.admin, fuzz_budget)


def test_the_fuzzed_document_is_the_served_one(client: TestClient) -> None:
    assert client.get("/openapi.json").json() == served_document()
