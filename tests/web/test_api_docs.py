"""``/docs`` and ``/redoc`` over plain HTTP: pages that name only this server's assets, and the
assets themselves (their types, ETags and HEAD). ``tests/browser/test_api_docs.py`` renders them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

PAGES = ["/docs", "/redoc"]
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class _References(HTMLParser):
    """The URLs a page loads (``<script src>``, ``<link href>``) and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if values.get("src"):
                self.urls.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def references(client: TestClient, page: str) -> _References:
    response = client.get(page)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    parser = _References()
    parser.feed(response.text)
    return parser


@pytest.mark.parametrize("page", PAGES)
def test_a_page_loads_only_assets_of_this_server_and_no_inline_script(
    client: TestClient, page: str
) -> None:
    found = references(client, page)

    assets = [url for url in found.urls if not url.startswith("data:")]
    assert len(assets) >= 2, found.urls
    assert all(url.startswith("/docs/assets/") for url in assets), assets
    assert found.inline_scripts == 0
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["content-type"] == MEDIA_TYPES[url[url.rfind(".") :]]
        assert response.content


@pytest.mark.parametrize("page", PAGES)
def test_a_page_tells_the_browser_to_load_nothing_from_elsewhere(
    client: TestClient, page: str
) -> None:
    policy = client.get(page).headers["content-security-policy"]

    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["font-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"


def test_the_pages_read_this_servers_openapi_document(client: TestClient) -> None:
    for page in PAGES:
        html = client.get(page).text
        assert 'data-openapi-url="/openapi.json"' in html
    assert client.get("/openapi.json").json()["info"]["title"] == "imgwired"


def test_the_bundles_are_swagger_ui_and_redoc(client: TestClient) -> None:
    swagger = client.get("/docs/assets/swagger-ui-bundle.js").text
    redoc = client.get("/docs/assets/redoc.standalone.js").text

    assert "SwaggerUIBundle" in swagger
    assert "exports.Redoc" in redoc
    # ReDoc's own badge would load its logo from redoc.ly.
    assert not re.search(r"https://cdn\.redoc\.ly", redoc)


def test_an_asset_is_revalidated_by_its_etag(client: TestClient) -> None:
    first = client.get("/docs/assets/swagger-ui.css")
    etag = first.headers["etag"]

    again = client.get("/docs/assets/swagger-ui.css", headers={"If-None-Match": etag})
    head = client.head("/docs/assets/swagger-ui.css")

    assert again.status_code == 304
    assert again.content == b""
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(first.content))
    assert head.headers["etag"] == etag


@pytest.mark.parametrize(
    "path", ["/docs/assets/nothing.js", "/docs/assets/..%2Fpyproject.toml", "/docs/assets/"]
)
def test_an_unknown_asset_is_a_404_in_the_error_shape(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["error_type"] == "RouteNotFoundError"


def test_a_prefix_the_server_is_mounted_under_is_kept(client: TestClient) -> None:
    # Behind a proxy that strips /images-api, every URL the page names carries it back.
    with TestClient(client.app, root_path="/images-api") as prefixed:
        html = prefixed.get("/redoc").text

    assert 'data-openapi-url="/images-api/openapi.json"' in html
    assert 'src="/images-api/docs/assets/redoc.standalone.js"' in html
