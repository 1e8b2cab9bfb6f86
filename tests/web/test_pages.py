"""Every list takes the same ``page`` and ``limit``, and refuses a page past the bound with 422."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from imgwired.pagination import MAX_PAGE, Page, PageRequest
from tests.conftest import Tenant

LISTS = [
    ("/api/v1/images/", "server"),
    ("/api/v1/cors_origins/", "server"),
    ("/api/v1/cors_origins/rejections", "server"),
    ("/api/v1/environments/", "admin"),
    ("/api/v1/api_keys/", "admin"),
]


@pytest.mark.parametrize(("path", "who"), LISTS)
@pytest.mark.parametrize("page", [str(MAX_PAGE + 1), "876373729625136896", str(2**64), "9" * 40])
def test_a_page_past_the_bound_is_422_on_every_list(
    client: TestClient, tenant: Tenant, path: str, who: str, page: str
) -> None:
    response = client.get(path, params={"page": page}, headers=getattr(tenant, who))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error_type"] == "RequestValidationError"
    assert [item["loc"] for item in body["detail"]] == [["query", "page"]]


@pytest.mark.parametrize(("path", "who"), LISTS)
def test_the_last_allowed_page_is_an_empty_list(
    client: TestClient, tenant: Tenant, path: str, who: str
) -> None:
    response = client.get(
        path, params={"page": MAX_PAGE, "limit": 100}, headers=getattr(tenant, who)
    )
    assert response.status_code == 200, response.text
    assert response.json() == []
    assert response.headers["X-Page"] == str(MAX_PAGE)
    assert response.headers["X-Next-Page"] == "null"
    assert response.headers["X-Prev-Page"] == str(MAX_PAGE - 1)


def test_the_bound_keeps_every_offset_within_a_signed_64_bit_integer() -> None:
    assert PageRequest(MAX_PAGE, 100).offset < 2**63
    with pytest.raises(ValueError, match="page"):
        PageRequest(MAX_PAGE + 1, 1)


def test_the_last_page_has_no_next_page() -> None:
    assert Page(["x"], 2**63, PageRequest(MAX_PAGE, 1)).next_page is None
    assert Page(["x"], 2**63, PageRequest(MAX_PAGE - 1, 1)).next_page == MAX_PAGE
