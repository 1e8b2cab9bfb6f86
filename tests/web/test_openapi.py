"""Our OpenAPI document carries the contract's operations with the contract's names and fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

CONTRACT = Path(__file__).resolve().parents[1] / "contract"  # see tests/contract/README.md
CONTRACTS = [CONTRACT / "imgwire-sdk.openapi.json", CONTRACT / "imgwire-full.openapi.json"]


def load(path: Path) -> dict[str, Any]:
    if not path.exists():
        pytest.fail(f"the contract is expected at {path}")
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        resolved: dict[str, Any] = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
        return resolved
    return schema


def ref_name(schema: dict[str, Any] | None) -> str | None:
    """The component a schema points to, through arrays and nullable unions."""
    if not schema:
        return None
    if "$ref" in schema:
        return str(schema["$ref"].split("/")[-1])
    if schema.get("type") == "array":
        return f"[{ref_name(schema['items'])}]"
    for option in schema.get("anyOf", []):
        if (name := ref_name(option)) is not None:
            return name
    return None


def shared_operations(ours: dict[str, Any]) -> list[tuple[Path, str, str]]:
    """(contract, path, method) for each operation we serve; the SDK contract wins over the
    full one where both have it (their operation ids differ, and the SDKs use the first)."""
    found: dict[tuple[str, str], Path] = {}
    for contract_path in CONTRACTS:
        contract = load(contract_path)
        for path, operations in contract["paths"].items():
            for method in operations:
                if method in ours["paths"].get(path, {}):
                    found.setdefault((path, method), contract_path)
    return [(contract, path, method) for (path, method), contract in found.items()]


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    from imgwired.web.app import create_app

    document: dict[str, Any] = create_app().openapi()
    return document


def test_every_operation_we_serve_under_api_v1_is_in_a_contract(ours: dict[str, Any]) -> None:
    shared = {(path, method) for _, path, method in shared_operations(ours)}
    for path, operations in ours["paths"].items():
        for method in operations:
            if path.startswith("/api/v1/"):
                assert (path, method) in shared or path in OURS_ONLY, (method, path)


# Endpoints that are ours, beyond the contract (documented in docs/api.md).
OURS_ONLY = {
    "/api/v1/cors_origins/evaluate",
    "/api/v1/cors_origins/rejections",
    "/api/v1/cors_policy",
    "/api/v1/rate_limits",
}


def test_operations_match_the_contract(ours: dict[str, Any]) -> None:
    operations = shared_operations(ours)
    assert len(operations) >= 11
    for contract_path, path, method in operations:
        contract = load(contract_path)
        theirs, mine = contract["paths"][path][method], ours["paths"][path][method]
        where = f"{method.upper()} {path}"
        assert mine["operationId"] == theirs["operationId"], where
        assert _params(mine) == _params(theirs), where
        their_body = theirs.get("requestBody", {}).get("content", {}).get("application/json", {})
        my_body = mine.get("requestBody", {}).get("content", {}).get("application/json", {})
        assert ref_name(my_body.get("schema")) == ref_name(their_body.get("schema")), where
        their_ok = theirs["responses"]["200"]
        my_ok = mine["responses"]["200"]
        their_schema = their_ok.get("content", {}).get("application/json", {}).get("schema")
        my_schema = my_ok.get("content", {}).get("application/json", {}).get("schema")
        assert ref_name(my_schema) == ref_name(their_schema), where
        assert set(my_ok.get("headers", {})) == set(their_ok.get("headers", {})), where


# Response fields that are ours, beyond the contract (documented in docs/api.md); optional, so
# the official SDKs, which ignore unknown fields, are unaffected.
OUR_FIELDS = {"ImageSchema": {"quarantine_reason"}}


def test_schemas_have_the_contracts_fields(ours: dict[str, Any]) -> None:
    names = set()
    for contract_path, path, method in shared_operations(ours):
        operation = load(contract_path)["paths"][path][method]
        for schema in _schemas_of(operation):
            if name := ref_name(schema):
                names.add((contract_path, name.strip("[]")))
    assert len(names) >= 5
    for contract_path, name in names:
        theirs = load(contract_path)["components"]["schemas"][name]
        mine = ours["components"]["schemas"][name]
        extra = set(mine.get("properties", {})) - set(theirs.get("properties", {}))
        assert set(theirs.get("properties", {})) <= set(mine.get("properties", {})), name
        assert extra == OUR_FIELDS.get(name, set()), name
        assert set(mine.get("required", [])) == set(theirs.get("required", [])), name
        if "enum" in theirs:
            assert mine["enum"] == theirs["enum"], name


def test_docs_and_schema_are_served(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "imgwired"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_a_fresh_app_builds_its_schema_without_a_database(app: FastAPI) -> None:
    assert app.openapi()["paths"]


def _params(operation: dict[str, Any]) -> set[tuple[str, str, bool]]:
    return {(p["in"], p["name"], bool(p.get("required"))) for p in operation.get("parameters", [])}


def _schemas_of(operation: dict[str, Any]) -> list[dict[str, Any]]:
    schemas = []
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "schema" in body:
        schemas.append(body["schema"])
    ok = operation["responses"]["200"].get("content", {}).get("application/json", {})
    if "schema" in ok:
        schemas.append(ok["schema"])
    return schemas


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_error_response_has_the_error_shape(ours: dict[str, Any]) -> None:
    for path, method, operation in _operations(ours):
        for status, response in operation["responses"].items():
            if status.startswith("2") or (path == "/health" and status == "503"):
                continue
            schema = response["content"]["application/json"]["schema"]
            expected = "HTTPValidationError" if status == "422" else "ErrorSchema"
            assert schema == {"$ref": f"#/components/schemas/{expected}"}, (method, path, status)


def test_every_operation_lists_what_the_boundary_and_authentication_answer(
    ours: dict[str, Any],
) -> None:
    for path, method, operation in _operations(ours):
        statuses = set(operation["responses"])
        assert {"413", "431"} <= statuses, (method, path)
        if path.startswith("/api/v1/") or path == "/metrics":
            assert {"401", "403", "404", "422", "503"} <= statuses, (method, path)


def test_every_reference_resolves(ours: dict[str, Any]) -> None:
    text = json.dumps(ours)
    names = {ref.split("/")[-1] for ref in _references(ours)}
    assert names <= set(ours["components"]["schemas"]), names - set(ours["components"]["schemas"])
    assert '"#/components/schemas/ErrorSchema"' in text


def test_the_error_schema_is_the_shape_every_error_has(ours: dict[str, Any]) -> None:
    schema = ours["components"]["schemas"]["ErrorSchema"]
    assert set(schema["required"]) == {"detail", "error_type", "request_id"}


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item)]
    return []
