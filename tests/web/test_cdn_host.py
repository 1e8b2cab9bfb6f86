"""Which requests a configured CDN host answers, and as which path."""

from __future__ import annotations

import pytest

from imgwired.web.cdn_host import configured_cdn_host


def test_no_resolver_when_the_cdn_is_served_by_the_api_host() -> None:
    assert configured_cdn_host(None, "http://api.example.com") is None
    assert configured_cdn_host("http://api.example.com/cdn", "http://api.example.com") is None
    assert configured_cdn_host("http://API.example.com:80/cdn", "http://api.example.com") is None


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("cdn.example.com", "/o/e/i", "/cdn/o/e/i"),
        ("cdn.example.com:443", "/o/e/i@small", "/cdn/o/e/i@small"),
        ("cdn.example.com:8443", "/o/e/i", None),
        ("api.example.com", "/o/e/i", None),
        ("evil.cdn.example.com", "/o/e/i", None),
    ],
)
def test_a_cdn_host_at_its_root(host: str, path: str, expected: str | None) -> None:
    resolve = configured_cdn_host("https://cdn.example.com/", "https://api.example.com")
    assert resolve is not None
    assert resolve(host, path) == expected


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("media.example.com:8080", "/images/o/e/i", "/cdn/o/e/i"),
        ("media.example.com:8080", "/imagesx/o/e/i", None),
        ("media.example.com:8080", "/images", None),
        ("media.example.com", "/images/o/e/i", None),  # port 80 is not the configured 8080
        ("[::1]:8080", "/images/o/e/i", None),
    ],
)
def test_a_cdn_host_under_a_path(host: str, path: str, expected: str | None) -> None:
    resolve = configured_cdn_host("http://media.example.com:8080/images", "http://localhost:8000")
    assert resolve is not None
    assert resolve(host, path) == expected


def test_an_ipv6_cdn_host() -> None:
    resolve = configured_cdn_host("http://[::1]:9000", "http://localhost:8000")
    assert resolve is not None
    assert resolve("[::1]:9000", "/o/e/i") == "/cdn/o/e/i"
