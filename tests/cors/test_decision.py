"""The decision engine: allowed or not, why, and exactly which headers go out."""

from __future__ import annotations

import uuid

import pytest

from imgwired.cors.decision import (
    MAX_REQUEST_HEADERS_LENGTH,
    EnvironmentCors,
    Preflight,
    first_allowed,
)
from imgwired.cors.origins import Origin, parse_origin
from imgwired.cors.patterns import parse_pattern
from imgwired.cors.policy import CorsMode, CorsPolicy

ENV = uuid.UUID(int=1)


def env(*patterns: str, **policy: object) -> EnvironmentCors:
    return EnvironmentCors(ENV, [parse_pattern(p) for p in patterns], CorsPolicy(**policy))  # type: ignore[arg-type]


def origin(text: str) -> Origin | None:
    return parse_origin([text])


def preflight(
    text: str, method: str = "POST", headers: tuple[bytes, ...] = (), pna: bool = False
) -> Preflight:
    return Preflight(origin(text), method, headers, pna)


def test_allowed_preflight_sends_exactly_the_right_headers() -> None:
    decision = env("app.example.com").preflight(
        preflight("https://app.example.com", headers=(b"Authorization, Content-Type",))
    )
    assert decision.allowed and decision.reason == "allowed"
    assert decision.matched_pattern == "app.example.com"
    assert decision.header_map() == {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-methods": "GET, HEAD, POST, PUT",
        "access-control-max-age": "86400",
        "access-control-allow-headers": "authorization, content-type",
    }


def test_credentials_add_the_credentials_header() -> None:
    decision = env("app.example.com", allow_credentials=True).preflight(
        preflight("https://app.example.com")
    )
    assert decision.header_map()["access-control-allow-credentials"] == "true"


def test_an_empty_allowlist_admits_any_origin_with_a_star() -> None:
    decision = env().actual(origin("https://anything.example"))
    assert decision.allowed and decision.matched_pattern == "*"
    assert decision.header_map()["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in decision.header_map()


@pytest.mark.parametrize(
    ("method", "allowed"),
    [("POST", True), ("post", False), ("PATCH", False), ("PUT", True), ("DELETE", False)],
)
def test_methods_match_byte_for_byte(method: str, allowed: bool) -> None:
    decision = env("app.example.com").preflight(preflight("https://app.example.com", method))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.reason == "method_not_allowed"
        assert decision.header_map() == {"x-cors-error": "method_not_allowed"}


@pytest.mark.parametrize(
    ("lines", "reason", "acah"),
    [
        ((b"authorization,content-type",), "allowed", "authorization, content-type"),
        ((b"  Authorization ,\tContent-Type  ",), "allowed", "authorization, content-type"),
        ((b",,authorization,,",), "allowed", "authorization"),
        ((b"authorization", b"content-type"), "allowed", "authorization, content-type"),
        ((b"accept, accept-language, content-language",), "allowed", None),
        ((b"",), "allowed", None),
        ((b"x-custom",), "header_not_allowed:x-custom", None),
        ((b"authorization, X-Custom",), "header_not_allowed:x-custom", None),
        ((b"bad header",), "header_not_allowed:bad header", None),
        ((b"," * (MAX_REQUEST_HEADERS_LENGTH + 1),), "request_headers_too_long", None),
        ((b"," * (1024 * 1024),), "request_headers_too_long", None),
    ],
)
def test_request_headers_are_parsed_tolerantly_and_checked(
    lines: tuple[bytes, ...], reason: str, acah: str | None
) -> None:
    decision = env("app.example.com").preflight(preflight("https://app.example.com", headers=lines))
    assert decision.reason == reason
    if reason == "allowed" and acah:
        assert decision.header_map()["access-control-allow-headers"] == acah
    if reason != "allowed":
        assert "access-control-allow-origin" not in decision.header_map()


def test_a_star_covers_any_header_but_authorization() -> None:
    cors = env("app.example.com", allowed_headers=("*",))
    ok = cors.preflight(preflight("https://app.example.com", headers=(b"x-anything",)))
    assert ok.allowed
    refused = cors.preflight(preflight("https://app.example.com", headers=(b"authorization",)))
    assert refused.reason == "header_not_allowed:authorization"


def test_private_network_access_is_granted_only_when_allowed() -> None:
    asked = preflight("http://localhost:3000", pna=True)
    refused = env("localhost:3000").preflight(asked)
    assert refused.reason == "private_network_not_allowed"
    allowed = env("localhost:3000", allow_private_network=True).preflight(asked)
    assert allowed.header_map()["access-control-allow-private-network"] == "true"
    plain = env("localhost:3000", allow_private_network=True).preflight(
        preflight("http://localhost:3000")
    )
    assert "access-control-allow-private-network" not in plain.header_map()


@pytest.mark.parametrize(
    "text",
    [
        "null",
        "https://evil.example.com",
        "https://APP.example.com",
        "https://app.example.com/",
        "https://app.example.com.",
        "https://app.example.com, https://evil.com",
        "https://app.example.com" + "a" * 10_000,
        "http://app.example.com",
    ],
)
def test_refused_origins_get_no_allow_origin(text: str) -> None:
    cors = env("app.example.com")
    for decision in (cors.preflight(preflight(text)), cors.actual(origin(text))):
        assert not decision.allowed
        assert decision.reason == "origin_not_allowed"
        assert "access-control-allow-origin" not in decision.header_map()


def test_actual_request_exposes_headers() -> None:
    decision = env("*.example.com").actual(origin("https://a.b.example.com"))
    headers = decision.header_map()
    assert headers["access-control-allow-origin"] == "https://a.b.example.com"
    assert "X-Request-Id" in headers["access-control-expose-headers"]
    assert decision.matched_pattern == "*.example.com"


def test_report_only_serves_and_marks_refusals() -> None:
    cors = env("app.example.com", mode=CorsMode.REPORT_ONLY)
    actual = cors.actual(origin("https://evil.example.com"))
    assert not actual.allowed and actual.reported
    assert actual.header_map()["access-control-allow-origin"] == "https://evil.example.com"
    assert actual.header_map()["x-cors-report"] == "origin_not_allowed"
    pre = cors.preflight(preflight("https://app.example.com", headers=(b"x-other",)))
    assert pre.reported and pre.header_map()["x-cors-report"] == "header_not_allowed:x-other"


def test_report_only_preflight_grants_what_was_asked() -> None:
    cors = env("app.example.com", mode=CorsMode.REPORT_ONLY)
    asked = preflight("https://evil.example.com", "PATCH", (b"authorization, x-trace",))
    decision = cors.preflight(asked)
    assert decision.reported and decision.reason == "origin_not_allowed"
    headers = decision.header_map()
    assert headers["access-control-allow-origin"] == "https://evil.example.com"
    assert headers["access-control-allow-headers"] == "authorization, x-trace"
    assert headers["access-control-allow-methods"].endswith(", PATCH")


def test_unknown_environment_takes_the_first_that_allows() -> None:
    strict = env("app.example.com")
    other = EnvironmentCors(uuid.UUID(int=2), [parse_pattern("admin.example.com")], CorsPolicy())
    decision = first_allowed(e.actual(origin("https://admin.example.com")) for e in (strict, other))
    assert decision.allowed and decision.matched_pattern == "admin.example.com"
    refused = first_allowed(e.actual(origin("https://x.example.org")) for e in (strict, other))
    assert refused.reason == "origin_not_allowed"
    assert first_allowed([]).reason == "origin_not_allowed"


def test_a_specific_refusal_beats_an_origin_refusal() -> None:
    by_origin = env("other.example.com")
    by_method = EnvironmentCors(
        uuid.UUID(int=3), [parse_pattern("app.example.com")], CorsPolicy(allowed_methods=("GET",))
    )
    asked = preflight("https://app.example.com")
    decision = first_allowed(e.preflight(asked) for e in (by_origin, by_method))
    assert decision.reason == "method_not_allowed"
