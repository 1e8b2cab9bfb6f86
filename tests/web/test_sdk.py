"""``GET /sdk/imgwire.js``: the browser SDK, served publicly and cacheably, and shipped."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from imgwired.paths import EndpointClass, classify

SDK = "/sdk/imgwire.js"
ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "imgwired" / "sdk_js"


def test_serves_the_module_as_javascript(client: TestClient) -> None:
    response = client.get(SDK)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.content == (SOURCE / "imgwire.js").read_bytes()
    assert b"export class ImgwireClient" in response.content
    assert b"export class ImgwireError" in response.content
    assert response.headers["cache-control"] == "public, max-age=300, must-revalidate"
    assert response.headers["etag"].startswith('"')


def test_revalidation_answers_304_without_a_body(client: TestClient) -> None:
    etag = client.get(SDK).headers["etag"]

    for if_none_match in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(SDK, headers={"If-None-Match": if_none_match})
        assert response.status_code == 304, if_none_match
        assert response.content == b""
        assert response.headers["etag"] == etag
    assert client.get(SDK, headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_gives_the_length_and_no_body(client: TestClient) -> None:
    response = client.head(SDK)

    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) == len((SOURCE / "imgwire.js").read_bytes())


def test_any_origin_may_import_it(client: TestClient) -> None:
    """A module script from another origin is fetched in CORS mode: it needs the ``*``."""
    origin = {"Origin": "https://any.example.org"}
    response = client.get(SDK, headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers

    preflight = client.options(SDK, headers={**origin, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ("GET", EndpointClass.PUBLIC),
        ("HEAD", EndpointClass.PUBLIC),
        ("POST", EndpointClass.SERVER_ONLY),
        ("PUT", EndpointClass.SERVER_ONLY),
    ],
)
def test_sdk_path_is_public_for_reads_only(method: str, kind: EndpointClass) -> None:
    assert classify(SDK, method).kind is kind


def test_not_in_the_api_schema(client: TestClient) -> None:
    assert SDK not in client.get("/openapi.json").json()["paths"]


def test_package_data_ships_the_sdk() -> None:
    """The wheel carries the files the route and npm need (pyproject's package data)."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = declared["package-data"]["imgwired"]
    for name in ("imgwire.js", "package.json", "README.md"):
        assert any(Path("sdk_js", name).match(pattern) for pattern in patterns), name
        assert resources.files("imgwired").joinpath("sdk_js", name).is_file()


def test_npm_package_exports_the_module() -> None:
    package = json.loads((SOURCE / "package.json").read_text())

    assert package["name"] == "@imgwired/js"
    assert package["type"] == "module"
    assert package["exports"]["."] == "./imgwire.js"
    assert set(package["files"]) >= {"imgwire.js", "README.md"}
