"""How a client is configured: arguments, then ``IMGWIRED_API_KEY`` / ``IMGWIRED_BASE_URL``."""

from __future__ import annotations

import pytest

from imgwired import __version__
from imgwired.client import ImgwireClient, ImgwireError
from tests.client.servers import Reply, ScriptedApp, bound_socket, serve_in_thread


def test_the_key_and_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    app = ScriptedApp([Reply(200, [])])
    with bound_socket() as sock, serve_in_thread(app, sock) as url:
        monkeypatch.setenv("IMGWIRED_API_KEY", "sk_from_env")
        monkeypatch.setenv("IMGWIRED_BASE_URL", f"{url}/")
        with ImgwireClient(environment_id="env-1") as sdk:
            sdk.images.list(page=2, limit=5)
        with ImgwireClient(api_key="sk_argument", base_url=url) as sdk:
            sdk.images.list()

    assert sdk.base_url == url
    first, second = app.seen
    assert first.headers["authorization"] == "Bearer sk_from_env"
    assert first.headers["x-environment-id"] == "env-1"
    assert first.headers["user-agent"] == f"imgwired-python/{__version__}"
    assert (first.method, first.path) == ("GET", "/api/v1/images/")
    assert second.headers["authorization"] == "Bearer sk_argument"
    assert "x-environment-id" not in second.headers


def test_a_key_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMGWIRED_API_KEY", raising=False)

    with pytest.raises(ImgwireError, match="IMGWIRED_API_KEY"):
        ImgwireClient()


@pytest.mark.parametrize("url", ["ftp://example.com", "localhost:8000", "http://"])
def test_the_base_url_must_be_http(url: str) -> None:
    with pytest.raises(ImgwireError, match="base_url"):
        ImgwireClient(api_key="sk_test", base_url=url)


def test_negative_retries_are_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        ImgwireClient(api_key="sk_test", max_retries=-1)
