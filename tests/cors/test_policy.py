"""The CORS policy's rules: defaults, normalisation and refusals."""

from __future__ import annotations

import pytest

from imgwired.cors.policy import DEFAULT_EXPOSE_HEADERS, CorsMode, CorsPolicy
from imgwired.errors import InvalidInputError


def test_defaults_suit_browser_uploads() -> None:
    policy = CorsPolicy()
    assert policy.allowed_methods == ("GET", "HEAD", "POST", "PUT")
    assert policy.allowed_headers == ("Authorization", "Content-Type")
    assert "X-Request-Id" in policy.expose_headers and "X-Total-Count" in policy.expose_headers
    assert policy.max_age == 86400
    assert policy.allow_credentials is False
    assert policy.mode is CorsMode.ENFORCE


@pytest.mark.parametrize(
    ("methods", "expected"),
    [
        (("post", "get"), ("POST", "GET")),
        (("PATCH", "patch"), ("PATCH", "patch")),
        (("PUT", "put", "PUT"), ("PUT",)),
    ],
)
def test_methods_are_normalised_as_fetch_does(
    methods: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    validated = CorsPolicy(allowed_methods=methods).validated(allowlist_empty=False)
    assert validated.allowed_methods == expected


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"allowed_methods": ("TRACE",)}, "allowed_methods", "never"),
        ({"allowed_methods": ("connect",)}, "allowed_methods", "never"),
        ({"allowed_methods": ("GET POST",)}, "allowed_methods", "valid"),
        ({"allowed_methods": ("",)}, "allowed_methods", "valid"),
        ({"allowed_headers": ("Cookie",)}, "allowed_headers", "browser"),
        ({"allowed_headers": ("Sec-Fetch-Mode",)}, "allowed_headers", "browser"),
        ({"allowed_headers": ("Proxy-Authorization",)}, "allowed_headers", "browser"),
        ({"allowed_headers": ("X Bad",)}, "allowed_headers", "valid"),
        ({"expose_headers": ("bad:header",)}, "expose_headers", "valid"),
        ({"max_age": -1}, "max_age", "between"),
        ({"max_age": 86401}, "max_age", "between"),
    ],
)
def test_invalid_policies_say_what_is_wrong(
    changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        CorsPolicy(**changes).validated(allowlist_empty=False)  # type: ignore[arg-type]
    assert raised.value.loc == ("body", field)
    assert words in raised.value.detail


def test_credentials_need_an_allowlist() -> None:
    with pytest.raises(InvalidInputError, match="at least one CORS origin"):
        CorsPolicy(allow_credentials=True).validated(allowlist_empty=True)
    assert CorsPolicy(allow_credentials=True).validated(allowlist_empty=False).allow_credentials


def test_credentials_refuse_a_wildcard_expose_list() -> None:
    with pytest.raises(InvalidInputError, match="wildcard"):
        CorsPolicy(allow_credentials=True, expose_headers=("*",)).validated(allowlist_empty=False)


def test_header_lists_are_deduplicated_case_insensitively() -> None:
    policy = CorsPolicy(allowed_headers=("X-Trace", "x-trace", "*")).validated(
        allowlist_empty=False
    )
    assert policy.allowed_headers == ("X-Trace", "*")
    assert policy.allowed_header_set == frozenset({"x-trace", "*"})
    assert (
        CorsPolicy(expose_headers=DEFAULT_EXPOSE_HEADERS)
        .validated(allowlist_empty=False)
        .expose_headers
        == DEFAULT_EXPOSE_HEADERS
    )
