"""Tenant isolation: a caller scoped to environment A can read or change nothing of environment B.

Every route under ``/api/v1`` that takes an id must be listed in ``FOREIGN_IDS`` with a way to
make B's resource; a new route without one fails ``test_every_id_route_is_covered``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Tenant

# Path parameter -> how to create B's resource of that kind (returns its id).
FOREIGN_IDS: dict[str, Callable[[TestClient, Tenant], str]] = {
    "api_key_id": lambda client, b: client.post(
        "/api/v1/api_keys/", json={"name": "b", "key_type": "SERVER"}, headers=b.admin
    ).json()["id"],
    "image_id": lambda client, b: client.post(
        "/api/v1/images/standard_upload", json={"file_name": "b.jpg"}, headers=b.server
    ).json()["image"]["id"],
    "image_download_job_id": lambda client, b: client.post(
        "/api/v1/images/downloads",
        json={"image_ids": [FOREIGN_IDS["image_id"](client, b)]},
        headers=b.server,
    ).json()["id"],
    "cors_origin_id": lambda client, b: client.post(
        "/api/v1/cors_origins/",
        json={"pattern": f"{uuid.uuid4().hex}.example.com"},
        headers=b.server,
    ).json()["id"],
}
# Organization-level resources: the admin token is organization-wide by design.
ORGANIZATION_LEVEL = {"environment_id"}

# A valid change for each kind of resource, so a 404 cannot come from a 422 in disguise.
PATCHES = {
    "api_key_id": {"name": "hijacked"},
    "cors_origin_id": {"pattern": "hijacked.example.com"},
}


def id_routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, id parameter) for every operation under /api/v1 that takes an id."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/v1/"):
            for param in re.findall(r"{(\w+)}", path):
                found += [(method.upper(), path, param) for method in operations]
    return found


def test_every_id_route_is_covered(app: FastAPI) -> None:
    params = {param for _, _, param in id_routes(app)}
    assert params - ORGANIZATION_LEVEL <= FOREIGN_IDS.keys()


def test_foreign_ids_are_404_on_every_route(
    app: FastAPI, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    checked = 0
    for method, path, param in id_routes(app):
        if param in ORGANIZATION_LEVEL:
            continue
        foreign = FOREIGN_IDS[param](client, other_tenant)
        url = path.replace("{" + param + "}", foreign)
        body = PATCHES[param] if method == "PATCH" else None
        # Environment A's admin scope and A's server key (where the route takes server keys).
        for headers in (tenant.admin, tenant.server):
            response = client.request(method, url, json=body, headers=headers)
            if response.status_code == 401:
                assert response.json()["error_type"] == "AdminTokenRequiredError"
                continue
            assert response.status_code == 404, (method, url, response.text)
        # And B's resource is untouched, as B sees it.
        mine = client.request("GET", url, headers=other_tenant.admin)
        assert mine.status_code == 200, (method, url, mine.text)
        assert "hijacked" not in mine.text
        checked += 1
    assert checked >= 6


def test_lists_show_only_the_callers_environment(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = {
        k["environment_id"] for k in client.get("/api/v1/api_keys/", headers=tenant.admin).json()
    }
    theirs = {
        k["environment_id"]
        for k in client.get("/api/v1/api_keys/", headers=other_tenant.admin).json()
    }
    assert mine == {str(tenant.environment_id)}
    assert theirs == {str(other_tenant.environment_id)}


@pytest.mark.parametrize("kind", ["server", "client"])
def test_keys_cannot_reach_into_another_environment(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, kind: str
) -> None:
    headers = {**getattr(tenant, kind), "X-Environment-Id": str(other_tenant.environment_id)}
    response = client.get("/api/v1/api_keys/", headers=headers)
    assert response.status_code in (401, 403)
    assert str(other_tenant.environment_id) not in response.text.replace(
        response.json()["request_id"], ""
    )
