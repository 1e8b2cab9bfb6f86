"""OriginMatcher: which stored pattern, if any, allows a request's Origin header."""

from __future__ import annotations

import pytest

from imgwired.cors.matcher import OriginIndex, OriginMatcher
from imgwired.cors.origins import Origin, parse_origin
from imgwired.cors.patterns import parse_pattern


def _origin(value: str) -> Origin:
    origin = parse_origin([value.encode("ascii")])
    assert origin is not None, value
    return origin


def _matched(patterns: list[str], header: str) -> str | None:
    found = OriginMatcher(parse_pattern(p) for p in patterns).match(_origin(header))
    return None if found is None else found.normalized


@pytest.mark.parametrize(
    ("pattern", "header", "allowed"),
    [
        # Apex versus wildcard.
        ("example.com", "https://example.com", True),
        ("example.com", "https://a.example.com", False),
        ("*.example.com", "https://a.example.com", True),
        ("*.example.com", "https://a.b.example.com", True),
        ("*.example.com", "https://x.y.z.example.com", True),
        ("*.example.com", "https://example.com", False),
        ("*.example.com", "https://evilexample.com", False),
        ("*.example.com", "https://evil-example.com", False),
        ("*.example.com", "https://a.evilexample.com", False),
        ("*.example.com", "https://example.com.evil.com", False),
        ("*.example.com", "https://a.example.com.evil.com", False),
        ("*.example.com", "https://example.co", False),
        ("*.b.example.com", "https://a.b.example.com", True),
        ("*.b.example.com", "https://b.example.com", False),
        ("*.b.example.com", "https://a.c.example.com", False),
        ("app.example.com", "https://app.example.com.evil.com", False),
        ("app.example.com", "https://evil.app.example.com", False),
        ("*.example.co.uk", "https://a.example.co.uk", True),
        ("*.example.co.uk", "https://a.other.co.uk", False),
        # Ports: none means the scheme's default only; an explicit port allows exactly it.
        ("app.example.com", "https://app.example.com:8443", False),
        ("app.example.com:8443", "https://app.example.com:8443", True),
        ("app.example.com:8443", "https://app.example.com", False),
        ("app.example.com:8443", "https://app.example.com:8444", False),
        ("*.example.com:8443", "https://a.example.com:8443", True),
        ("*.example.com:8443", "https://a.example.com", False),
        ("https://app.example.com:80", "https://app.example.com:80", True),
        ("http://app.example.com:443", "http://app.example.com:443", True),
        ("http://app.example.com:443", "https://app.example.com", False),
        # Public hosts: scheme-less means https only; an explicit scheme pins it.
        ("app.example.com", "http://app.example.com", False),
        ("*.example.com", "http://a.example.com", False),
        ("https://app.example.com", "https://app.example.com", True),
        ("https://app.example.com", "http://app.example.com", False),
        ("http://app.example.com", "http://app.example.com", True),
        ("http://app.example.com", "https://app.example.com", False),
        # Loopback hosts: scheme-less allows http as well.
        ("localhost:3000", "http://localhost:3000", True),
        ("localhost:3000", "https://localhost:3000", True),
        ("localhost:3000", "http://localhost:3001", False),
        ("localhost:3000", "http://localhost", False),
        ("localhost", "http://localhost", True),
        ("localhost", "https://localhost", True),
        ("localhost", "http://localhost:3000", False),
        ("https://localhost:3000", "http://localhost:3000", False),
        ("http://localhost:3000", "https://localhost:3000", False),
        ("*.localhost", "http://app.localhost", True),
        ("*.localhost", "https://a.b.localhost", True),
        ("*.localhost", "http://localhost", False),
        ("*.localhost:5173", "http://app.localhost:5173", True),
        ("127.0.0.1", "http://127.0.0.1", True),
        ("127.0.0.1:8080", "http://127.0.0.1:8080", True),
        ("127.0.0.1:8080", "https://127.0.0.1:8080", True),
        ("127.0.0.1:8080", "http://127.0.0.2:8080", False),
        ("127.0.0.1:8080", "http://localhost:8080", False),
        ("127.9.9.9", "http://127.9.9.9", True),
        ("10.0.0.1:8080", "http://10.0.0.1:8080", False),
        ("10.0.0.1:8080", "https://10.0.0.1:8080", True),
        ("[::1]", "http://[::1]", True),
        ("[::1]:3000", "http://[::1]:3000", True),
        ("[0:0::1]:3000", "https://[::1]:3000", True),
        ("[::1]:3000", "http://localhost:3000", False),
        ("[2001:db8::1]", "http://[2001:db8::1]", False),
        ("[2001:db8::1]", "https://[2001:db8::1]", True),
        # IDN: the pattern is stored as punycode and matches the punycode origin.
        ("bücher.example", "https://xn--bcher-kva.example", True),
        ("xn--bcher-kva.example", "https://xn--bcher-kva.example", True),
        ("*.bücher.example", "https://shop.xn--bcher-kva.example", True),
        ("bücher.example", "https://bucher.example", False),
        # Uppercase in the pattern is normalised away.
        ("APP.Example.com", "https://app.example.com", True),
        ("HTTPS://APP.EXAMPLE.COM:8443", "https://app.example.com:8443", True),
    ],
)
def test_single_pattern(pattern: str, header: str, allowed: bool) -> None:
    assert _matched([pattern], header) == (parse_pattern(pattern).normalized if allowed else None)


@pytest.mark.parametrize(
    "header",
    [
        "https://APP.example.com",
        "HTTPS://app.example.com",
        "https://b\u00fccher.example",
        "null",
        "https://app.example.com/",
        "https://app.example.com.",
        "https://user@app.example.com",
        "https://app.example.com, https://other.example.com",
        "https://app.example.com:443",
        "https://app.example.com" + "m" * 10 * 1024,
    ],
)
def test_headers_a_browser_would_not_send_never_match(header: str) -> None:
    # They fail at parse_origin, so no pattern set, however broad, can be reached.
    assert parse_origin([header]) is None
    assert parse_origin([header.encode("utf-8")]) is None


def test_two_origin_headers_never_match() -> None:
    assert parse_origin([b"https://app.example.com", b"https://app.example.com"]) is None


@pytest.mark.parametrize(
    ("patterns", "header", "expected"),
    [
        # Exact beats wildcard whatever the order the patterns were given in.
        (["*.example.com", "app.example.com"], "https://app.example.com", "app.example.com"),
        (["app.example.com", "*.example.com"], "https://app.example.com", "app.example.com"),
        # Among wildcards the longest suffix wins.
        (["*.example.com", "*.b.example.com"], "https://a.b.example.com", "*.b.example.com"),
        (["*.b.example.com", "*.example.com"], "https://a.b.example.com", "*.b.example.com"),
        (["*.example.com", "*.b.example.com"], "https://a.c.example.com", "*.example.com"),
        # Same key from two patterns: the first given wins.
        (["localhost:3000", "http://localhost:3000"], "http://localhost:3000", "localhost:3000"),
        (
            ["http://localhost:3000", "localhost:3000"],
            "http://localhost:3000",
            "http://localhost:3000",
        ),
        (["http://localhost:3000", "localhost:3000"], "https://localhost:3000", "localhost:3000"),
        # Ports and schemes keep otherwise identical patterns apart.
        (["a.example.com:8443", "a.example.com"], "https://a.example.com", "a.example.com"),
        (
            ["a.example.com", "a.example.com:8443"],
            "https://a.example.com:8443",
            "a.example.com:8443",
        ),
        (
            ["https://a.example.com", "http://a.example.com"],
            "http://a.example.com",
            "http://a.example.com",
        ),
        (["*.example.com", "example.com"], "https://example.com", "example.com"),
        (["*.example.com", "other.com"], "https://example.com", None),
        ([], "https://example.com", None),
    ],
)
def test_several_patterns(patterns: list[str], header: str, expected: str | None) -> None:
    assert _matched(patterns, header) == expected


def test_is_empty() -> None:
    assert OriginMatcher([]).is_empty
    assert OriginMatcher(iter(())).is_empty
    assert not OriginMatcher([parse_pattern("app.example.com")]).is_empty
    assert not OriginMatcher([parse_pattern("*.example.com")]).is_empty


def test_accepts_a_one_shot_iterable() -> None:
    matcher = OriginMatcher(parse_pattern(p) for p in ["a.example.com", "*.b.example.com"])
    assert matcher.match(_origin("https://a.example.com")) is not None
    assert matcher.match(_origin("https://x.b.example.com")) is not None


def test_ten_thousand_patterns() -> None:
    exact = [parse_pattern(f"app{i}.example.com") for i in range(5000)]
    ported = [parse_pattern(f"localhost:{3000 + i}") for i in range(2500)]
    wild = [parse_pattern(f"*.tenant{i}.example.org") for i in range(2500)]
    matcher = OriginMatcher(exact + ported + wild)

    assert matcher.match(_origin("https://app0.example.com")) == exact[0]
    assert matcher.match(_origin("https://app4999.example.com")) == exact[4999]
    assert matcher.match(_origin("https://app5000.example.com")) is None
    assert matcher.match(_origin("http://app17.example.com")) is None
    assert matcher.match(_origin("https://x.app17.example.com")) is None
    assert matcher.match(_origin("http://localhost:3000")) == ported[0]
    assert matcher.match(_origin("https://localhost:5499")) == ported[2499]
    assert matcher.match(_origin("http://localhost:5500")) is None
    assert matcher.match(_origin("http://localhost")) is None
    assert matcher.match(_origin("https://a.tenant42.example.org")) == wild[42]
    assert matcher.match(_origin("https://a.b.tenant2499.example.org")) == wild[2499]
    assert matcher.match(_origin("https://tenant42.example.org")) is None
    assert matcher.match(_origin("https://a.tenant2500.example.org")) is None
    assert matcher.match(_origin("https://a.tenant42.example.org.evil.com")) is None
    for i in range(0, 5000, 7):
        assert matcher.match(_origin(f"https://app{i}.example.com")) is exact[i]


def test_origin_index_finds_every_owner_that_admits_an_origin() -> None:
    index: OriginIndex[str] = OriginIndex()
    index.add(parse_pattern("app.example.com"), "exact")
    index.add(parse_pattern("*.example.com"), "wide")
    index.add(parse_pattern("*.b.example.com"), "narrow")
    index.add(parse_pattern("*.example.com"), "wide")
    origin = parse_origin(["https://a.b.example.com"])
    assert origin is not None
    assert index.owners(origin) == ["narrow", "wide"]
    exact = parse_origin(["https://app.example.com"])
    assert exact is not None
    assert index.owners(exact) == ["exact", "wide"]
    apex = parse_origin(["https://example.com"])
    assert apex is not None
    assert index.owners(apex) == []
