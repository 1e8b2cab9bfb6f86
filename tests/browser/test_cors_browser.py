"""CORS as a web page sees it: headless Chromium calling a running imgwired from another origin."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from imgwired.cors import repository as cors_repository
from tests.browser.conftest import BrowserPage, Imgwired, PageOrigins

OpenPage = Callable[[str], BrowserPage]
PAGINATION_HEADERS = ("X-Total-Count", "X-Page", "X-Limit", "X-Prev-Page", "X-Next-Page")


def upload_json(key: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """The fetch() init of a JSON standard upload with ``key``: a preflighted request."""
    return {
        "method": "POST",
        "headers": {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        "body": json.dumps({"file_name": "a.jpg"} if body is None else body),
    }


def comma_list(value: str) -> list[str]:
    return [item.strip().lower() for item in value.split(",")]


def test_allowlisted_origin_reads_the_upload_response(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    imgwired.allow(page_origins.allowed_pattern)
    page = open_page(page_origins.allowed)

    result = page.fetch(imgwired.upload_url, **upload_json(imgwired.client_key))

    assert "error" not in result, result
    assert result["status"] == 200
    assert result["body"]["image"]["status"] == "PENDING"
    assert result["headers"].get("x-request-id")
    # Chromium asked first, and imgwired said yes to exactly this origin and these headers.
    preflight = page.network.preflight(imgwired.upload_url)
    assert preflight.response_type == "Preflight"
    assert preflight.status == 204
    assert preflight.request_headers["origin"] == page_origins.allowed
    assert preflight.request_headers["access-control-request-method"] == "POST"
    assert preflight.headers["access-control-allow-origin"] == page_origins.allowed
    assert set(comma_list(preflight.headers["access-control-allow-headers"])) == {
        "authorization",
        "content-type",
    }
    post = page.network.response("POST", imgwired.upload_url)
    assert post.status == 200
    assert post.request_headers["authorization"] == f"Bearer {imgwired.client_key}"


def test_origin_not_on_the_allowlist_is_refused_at_the_preflight(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    imgwired.allow(page_origins.allowed_pattern)
    page = open_page(page_origins.other)

    result = page.fetch(imgwired.upload_url, **upload_json(imgwired.client_key))

    assert result.get("name") == "TypeError", result
    failed = page.network.failure("POST", imgwired.upload_url)
    assert failed.cors_error is not None
    assert failed.cors_error.startswith("Preflight")
    # The upload itself never left the browser: only the preflight reached imgwired.
    assert not failed.answered
    preflight = page.network.preflight(imgwired.upload_url)
    assert preflight.status == 403
    assert preflight.headers["x-cors-error"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in preflight.headers
    # The environment's owner can see who was turned away, and where.
    assert [
        (row["origin"], row["endpoint"], row["reason"], row["count"])
        for row in imgwired.rejections_of(page_origins.other)
    ] == [(page_origins.other, "standard_upload", "origin_not_allowed", 1)]


def test_simple_upload_from_other_origin_is_refused_and_creates_nothing(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    imgwired.allow(page_origins.allowed_pattern)
    page = open_page(page_origins.other)

    # A multipart POST with no custom header is a "simple" request: no preflight, it is sent.
    result = page.upload_form(imgwired.upload_url)

    assert result.get("name") == "TypeError", result
    failed = page.network.failure("POST", imgwired.upload_url)
    assert failed.cors_error == "MissingAllowOriginHeader"
    assert page.network.exchanges("OPTIONS", imgwired.upload_url) == []
    # It reached imgwired, which refused it (a browser cannot attach a key to a simple request)
    # and did not grant the origin access to the answer.
    sent = page.network.response("POST", imgwired.upload_url)
    assert sent.request_headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.status == 401
    assert sent.headers["x-cors-error"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in sent.headers

    # The same in no-cors mode: the script gets an opaque response, the server still said 401.
    opaque = page.upload_form(imgwired.upload_url, mode="no-cors")
    assert opaque == {"ok": False, "status": 0, "type": "opaque"}
    both = page.network.responses("POST", imgwired.upload_url, 2)
    assert [exchange.status for exchange in both] == [401, 401]

    # A caller that can attach the client key to such a request (not a browser) is refused by
    # origin before the upload runs: 403, and no image is created.
    response = httpx.post(
        imgwired.upload_url,
        headers={
            "Origin": page_origins.other,
            "Authorization": f"Bearer {imgwired.client_key}",
            "Content-Type": "multipart/form-data; boundary=x",
        },
        content=(
            b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
            b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0\r\n--x--\r\n"
        ),
    )
    assert response.status_code == 403, response.text
    assert response.json()["error_type"] == "CorsOriginNotAllowedError"
    assert response.headers["x-cors-error"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in response.headers
    rows = imgwired.rejections_of(page_origins.other)
    assert len(rows) == 1, rows
    assert rows[0]["endpoint"] == "standard_upload"
    assert rows[0]["count"] >= 1
    # And nothing was created by any of those requests.
    images = imgwired.http.get(
        "/api/v1/images/", headers={"Authorization": f"Bearer {imgwired.server_key}"}
    )
    assert images.status_code == 200
    assert images.headers["X-Total-Count"] == "0"


def test_allowlisted_origin_reads_a_validation_error(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    imgwired.allow(page_origins.allowed_pattern)
    page = open_page(page_origins.allowed)

    result = page.fetch(imgwired.upload_url, **upload_json(imgwired.client_key, {"file_name": ""}))

    assert "error" not in result, result
    assert result["status"] == 422
    assert result["body"]["error_type"] == "RequestValidationError"
    assert any("file_name" in item["loc"] for item in result["body"]["detail"])
    assert result["headers"].get("x-request-id") == result["body"]["request_id"]


def test_allowlisted_origin_reads_an_auth_error_and_its_exposed_headers(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    imgwired.allow(page_origins.allowed_pattern)
    page = open_page(page_origins.allowed)

    result = page.fetch(imgwired.upload_url, **upload_json("ck_bad"))

    assert "error" not in result, result
    assert result["status"] == 401
    assert result["body"]["error_type"] == "InvalidApiKeyError"
    assert result["headers"].get("x-request-id") == result["body"]["request_id"]
    sent = page.network.response("POST", imgwired.upload_url)
    assert sent.status == 401
    exposed = comma_list(sent.headers["access-control-expose-headers"])
    for name in ("X-Request-Id", *PAGINATION_HEADERS):
        assert name.lower() in exposed, exposed


def test_removing_an_origin_takes_effect_in_the_browser(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    allowed_id = imgwired.allow(page_origins.allowed_pattern)
    imgwired.allow("other.example.com")
    before = open_page(page_origins.allowed).fetch(
        imgwired.upload_url, **upload_json(imgwired.client_key)
    )
    assert before.get("status") == 200, before

    imgwired.disallow(allowed_id)
    page = open_page(page_origins.allowed)  # a new context: nothing cached from before
    after = page.fetch(imgwired.upload_url, **upload_json(imgwired.client_key))

    assert after.get("name") == "TypeError", after
    assert page.network.failure("POST", imgwired.upload_url).cors_error is not None
    preflight = page.network.preflight(imgwired.upload_url)
    assert preflight.status == 403
    assert preflight.headers["x-cors-error"] == "origin_not_allowed"


def test_removing_an_origin_refuses_a_page_that_cached_the_preflight(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    allowed_id = imgwired.allow(page_origins.allowed_pattern)
    imgwired.allow("other.example.com")
    page = open_page(page_origins.allowed)
    assert page.fetch(imgwired.upload_url, **upload_json(imgwired.client_key))["status"] == 200

    imgwired.disallow(allowed_id)
    after = page.fetch(imgwired.upload_url, **upload_json(imgwired.client_key))

    assert after.get("name") == "TypeError", after
    # Chromium used its cached preflight and sent the upload; imgwired refused it by origin.
    assert len(page.network.exchanges("OPTIONS", imgwired.upload_url)) == 1
    assert page.network.failure("POST", imgwired.upload_url).cors_error == (
        "MissingAllowOriginHeader"
    )
    refused = page.network.response("POST", imgwired.upload_url)
    assert refused.status == 403
    assert refused.headers["x-cors-error"] == "origin_not_allowed"


def test_server_only_endpoint_is_not_callable_from_an_allowlisted_page(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    imgwired.allow(page_origins.allowed_pattern)
    page = open_page(page_origins.allowed)
    url = imgwired.url + "/api/v1/cors_origins/"

    result = page.fetch(url, headers={"Authorization": f"Bearer {imgwired.server_key}"})

    assert result.get("name") == "TypeError", result
    assert page.network.failure("GET", url).cors_error is not None
    preflight = page.network.preflight(url)
    assert preflight.status == 403
    assert preflight.headers["x-cors-error"] == "endpoint_not_cors_enabled"
    assert not page.network.exchanges("GET", url)[0].answered


def test_report_only_mode_serves_and_counts_a_non_allowlisted_origin(
    imgwired: Imgwired, page_origins: PageOrigins, open_page: OpenPage
) -> None:
    imgwired.allow(page_origins.allowed_pattern)
    response = imgwired.http.patch(
        "/api/v1/cors_policy", json={"mode": "report_only"}, headers=imgwired.server
    )
    assert response.status_code == 200, response.text
    page = open_page(page_origins.other)

    result = page.fetch(imgwired.upload_url, **upload_json(imgwired.client_key))

    # docs/api.md: "report_only serves refused requests, marks them X-CORS-Report: <reason>
    # and counts them".
    assert "error" not in result, (result, page.network.failure("POST", imgwired.upload_url))
    assert result["status"] == 200
    assert result["body"]["image"]["status"] == "PENDING"
    preflight = page.network.preflight(imgwired.upload_url)
    assert preflight.status == 204
    assert preflight.headers["x-cors-report"] == "origin_not_allowed"
    served = page.network.response("POST", imgwired.upload_url)
    assert served.headers["x-cors-report"] == "origin_not_allowed"
    assert [
        (row["origin"], row["endpoint"], row["reason"])
        for row in imgwired.rejections_of(page_origins.other)
    ] == [(page_origins.other, "standard_upload", "origin_not_allowed")]


def test_rejections_list_a_refusal_while_the_background_flush_is_writing(
    imgwired: Imgwired,
    page_origins: PageOrigins,
    open_page: OpenPage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Widen the window the race needs, without changing what happens in it: the first flush
    # that writes refusals (the background loop's, every 0.2 s here) waits a moment before
    # writing, as a slow database would.
    writing, release = threading.Event(), threading.Event()
    add_rejections = cors_repository.add_rejections

    def slow_add_rejections(*args: Any, **kwargs: Any) -> None:
        if not writing.is_set():
            writing.set()
            release.wait(timeout=2)
        add_rejections(*args, **kwargs)

    monkeypatch.setattr(cors_repository, "add_rejections", slow_add_rejections)
    imgwired.allow(page_origins.allowed_pattern)
    page = open_page(page_origins.other)
    result = page.fetch(imgwired.upload_url, **upload_json(imgwired.client_key))
    assert result.get("name") == "TypeError", result
    assert page.network.preflight(imgwired.upload_url).status == 403
    assert writing.wait(timeout=5), "the background loop never flushed the refusal"

    try:
        listed = imgwired.rejections()
    finally:
        release.set()

    assert [(row["origin"], row["count"]) for row in listed] == [(page_origins.other, 1)]
