"""parse_pattern: what is accepted and how it is normalised, and why everything else is refused."""

from __future__ import annotations

import pytest

from imgwired.cors.patterns import InvalidOriginPatternError, OriginPattern, parse_pattern
from imgwired.errors import InvalidInputError

HTTPS = frozenset({"https"})
HTTP = frozenset({"http"})
BOTH = frozenset({"http", "https"})


@pytest.mark.parametrize(
    ("raw", "normalized", "schemes", "host", "wildcard", "port"),
    [
        ("app.example.com", "app.example.com", HTTPS, "app.example.com", False, None),
        ("APP.Example.COM", "app.example.com", HTTPS, "app.example.com", False, None),
        ("  app.example.com\t", "app.example.com", HTTPS, "app.example.com", False, None),
        ("example.com", "example.com", HTTPS, "example.com", False, None),
        ("*.example.com", "*.example.com", HTTPS, "example.com", True, None),
        ("*.Example.com:8443", "*.example.com:8443", HTTPS, "example.com", True, 8443),
        ("*.example.co.uk", "*.example.co.uk", HTTPS, "example.co.uk", True, None),
        ("*.a.b.example.com", "*.a.b.example.com", HTTPS, "a.b.example.com", True, None),
        ("https://a.example.com", "https://a.example.com", HTTPS, "a.example.com", False, None),
        ("HTTPS://A.example.com", "https://a.example.com", HTTPS, "a.example.com", False, None),
        ("http://a.example.com", "http://a.example.com", HTTP, "a.example.com", False, None),
        (
            "https://x.example.com:8443",
            "https://x.example.com:8443",
            HTTPS,
            "x.example.com",
            False,
            8443,
        ),
        ("http://a.example.com:443", "http://a.example.com:443", HTTP, "a.example.com", False, 443),
        ("https://a.example.com:80", "https://a.example.com:80", HTTPS, "a.example.com", False, 80),
        ("a.example.com:1", "a.example.com:1", HTTPS, "a.example.com", False, 1),
        ("a.example.com:65535", "a.example.com:65535", HTTPS, "a.example.com", False, 65535),
        # Loopback hosts allow plain http as well when no scheme is given.
        ("localhost", "localhost", BOTH, "localhost", False, None),
        ("localhost:3000", "localhost:3000", BOTH, "localhost", False, 3000),
        ("LocalHost:3000", "localhost:3000", BOTH, "localhost", False, 3000),
        ("https://localhost:3000", "https://localhost:3000", HTTPS, "localhost", False, 3000),
        ("http://localhost", "http://localhost", HTTP, "localhost", False, None),
        ("*.localhost", "*.localhost", BOTH, "localhost", True, None),
        ("*.localhost:5173", "*.localhost:5173", BOTH, "localhost", True, 5173),
        ("app.localhost", "app.localhost", BOTH, "app.localhost", False, None),
        ("127.0.0.1", "127.0.0.1", BOTH, "127.0.0.1", False, None),
        ("127.0.0.1:8080", "127.0.0.1:8080", BOTH, "127.0.0.1", False, 8080),
        ("127.1.2.3", "127.1.2.3", BOTH, "127.1.2.3", False, None),
        ("192.168.1.10:8080", "192.168.1.10:8080", HTTPS, "192.168.1.10", False, 8080),
        ("[::1]", "[::1]", BOTH, "[::1]", False, None),
        ("[::1]:3000", "[::1]:3000", BOTH, "[::1]", False, 3000),
        ("[0:0:0:0:0:0:0:1]", "[::1]", BOTH, "[::1]", False, None),
        ("[2001:DB8:0:0:0:0:0:1]", "[2001:db8::1]", HTTPS, "[2001:db8::1]", False, None),
        ("[::ffff:192.0.2.1]", "[::ffff:c000:201]", HTTPS, "[::ffff:c000:201]", False, None),
        ("http://[::1]:8080", "http://[::1]:8080", HTTP, "[::1]", False, 8080),
        # IDN: normalised to punycode A-labels (IDNA 2008 + UTS46 mapping).
        ("bücher.example", "xn--bcher-kva.example", HTTPS, "xn--bcher-kva.example", False, None),
        ("BÜCHER.example", "xn--bcher-kva.example", HTTPS, "xn--bcher-kva.example", False, None),
        (
            "xn--bcher-kva.example",
            "xn--bcher-kva.example",
            HTTPS,
            "xn--bcher-kva.example",
            False,
            None,
        ),
        ("*.bücher.example", "*.xn--bcher-kva.example", HTTPS, "xn--bcher-kva.example", True, None),
        (
            "https://bücher.example:8443",
            "https://xn--bcher-kva.example:8443",
            HTTPS,
            "xn--bcher-kva.example",
            False,
            8443,
        ),
        ("faß.de", "xn--fa-hia.de", HTTPS, "xn--fa-hia.de", False, None),
        (
            "\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",
            "example.com",
            HTTPS,
            "example.com",
            False,
            None,
        ),
        ("a-b.example.com", "a-b.example.com", HTTPS, "a-b.example.com", False, None),
        ("intranet", "intranet", HTTPS, "intranet", False, None),
        (
            f"{'a' * 63}.example.com",
            f"{'a' * 63}.example.com",
            HTTPS,
            f"{'a' * 63}.example.com",
            False,
            None,
        ),
    ],
)
def test_accepted(
    raw: str,
    normalized: str,
    schemes: frozenset[str],
    host: str,
    wildcard: bool,
    port: int | None,
) -> None:
    assert parse_pattern(raw) == OriginPattern(
        normalized=normalized, schemes=schemes, host=host, wildcard=wildcard, port=port
    )


_LONG_HOST = ".".join(["a" * 63] * 4)  # 255 characters


@pytest.mark.parametrize(
    ("raw", "keyword"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\t\n", "empty"),
        ("*", "bare '*'"),
        ("https://*", "bare '*'"),
        ("*.", "domain after '*.'"),
        ("*.*.example.com", "only one wildcard"),
        ("a*.example.com", "whole leftmost label"),
        ("*example.com", "whole leftmost label"),
        ("example.*.com", "whole leftmost label"),
        ("*a.example.com", "whole leftmost label"),
        ("example.com/", "path: remove '/'"),
        ("example.com/app", "path: remove '/app'"),
        ("https://example.com/app/x", "path: remove '/app/x'"),
        ("example.com?x=1", "query: remove '?x=1'"),
        ("example.com#top", "fragment: remove '#top'"),
        ("user@example.com", "user info"),
        ("https://user:pw@example.com", "user info"),
        ("*.com", "public suffix"),
        ("*.co.uk", "public suffix"),
        ("*.github.io", "public suffix"),
        ("*.CO.UK", "public suffix"),
        ("*.xn--p1ai", "public suffix"),
        ("https://a.com:443", "default for https"),
        ("http://a.com:80", "default for http"),
        ("a.com:443", "default for https"),
        ("a.com:80", "default for http"),
        ("localhost:80", "default for http"),
        ("localhost:443", "default for https"),
        ("example.com.", "end with a dot"),
        ("*.example.com.", "end with a dot"),
        ("exa mple.com", "whitespace"),
        ("example.com :8080", "whitespace"),
        ("exa\u00a0mple.com", "whitespace"),
        ("exa\x00mple.com", "control character"),
        ("ftp://example.com", "http or https"),
        ("ws://example.com", "http or https"),
        ("://example.com", "empty scheme"),
        ("https:/example.com", "'://'"),
        ("https:example.com", "port must be a number"),
        ("☃.example", "internationalised"),
        ("xn--zz.example", "not a valid domain"),
        (f"{'a' * 64}.example.com", "too long"),
        (_LONG_HOST, "too long"),
        ("a..com", "empty label"),
        (".example.com", "empty label"),
        ("*.127.0.0.1", "IP address"),
        ("*.[::1]", "IP address"),
        (":3000", "port but no host"),
        ("https://:8443", "port but no host"),
        ("https://", "no host"),
        ("x" * 2049, "too long"),
        ("example.com:", "port is empty"),
        ("example.com:0", "between 1 and 65535"),
        ("example.com:65536", "between 1 and 65535"),
        ("example.com:99999999999999999999", "between 1 and 65535"),
        ("example.com:08080", "leading zeros"),
        ("example.com:+8080", "must be a number"),
        ("example.com:-1", "must be a number"),
        ("example.com:\uff18\uff10\uff18\uff10", "must be a number"),
        ("example.com:8080:1", "brackets"),
        ("::1", "brackets"),
        ("[::1", "closing ']'"),
        ("[::1]x", "after the IPv6 address"),
        ("[::g]", "not a valid IPv6"),
        ("[fe80::1%eth0]", "not a valid IPv6"),
        ("127.1", "dotted-quad"),
        ("127.0.0.01", "dotted-quad"),
        ("0x7f.0.0.1", "dotted-quad"),
        ("256.0.0.1", "dotted-quad"),
        ("example.123", "dotted-quad"),
        ("a_b.example.com", "invalid character '_'"),
        ("-a.example.com", "hyphen"),
        ("a-.example.com", "hyphen"),
    ],
)
def test_rejected(raw: str, keyword: str) -> None:
    with pytest.raises(InvalidOriginPatternError) as info:
        parse_pattern(raw)
    assert keyword in info.value.detail


def test_error_is_an_invalid_input_error_located_at_the_pattern() -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_pattern("example.com/app")
    assert isinstance(info.value, InvalidOriginPatternError)
    assert info.value.loc == ("body", "pattern")
    assert info.value.detail == "pattern must not contain a path: remove '/app'"
    assert info.value.error_type == "InvalidOriginPatternError"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("APP.Example.com", "app.example.com"),
        (" app.example.com ", "app.example.com"),
        ("HTTPS://app.example.com", "https://app.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("*.BÜCHER.example", "*.xn--bcher-kva.example"),
        ("[0::1]:3000", "[::1]:3000"),
        ("LOCALHOST:3000", "localhost:3000"),
    ],
)
def test_duplicates_normalise_equal(first: str, second: str) -> None:
    assert parse_pattern(first).normalized == parse_pattern(second).normalized
    assert parse_pattern(first) == parse_pattern(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # An explicit scheme pins the pattern, so it is a different rule from the scheme-less one.
        ("https://a.com", "a.com"),
        ("http://localhost:3000", "localhost:3000"),
        ("a.com:8443", "a.com"),
        ("*.example.com", "example.com"),
    ],
)
def test_distinct_patterns_normalise_differently(first: str, second: str) -> None:
    assert parse_pattern(first).normalized != parse_pattern(second).normalized


def test_pattern_is_frozen() -> None:
    pattern = parse_pattern("app.example.com")
    with pytest.raises(AttributeError):
        pattern.host = "evil.com"  # type: ignore[misc]
