"""parse_fetch_url: http(s) only, hosts read the way browsers read them, the rest refused."""

from __future__ import annotations

import pytest

from imgwired.ingest import FetchTarget, InvalidFetchUrlError, parse_fetch_url
from imgwired.ingest.urls import resolve_location

LOOPBACK_SPELLINGS = [
    "http://127.0.0.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f000001/",
    "http://0x7F.1/",
    "http://0x7f.0.0.1/",
    "http://127.1/",
    "http://127.0.1/",
    "http://0177.0.0.01/",
    "http://017700000001/",
    "http://127.0.0.1./",
    "http://%31%32%37.0.0.1/",
    "http://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/",  # full-width digits and dots
]


@pytest.mark.parametrize("url", LOOPBACK_SPELLINGS)
def test_every_ipv4_spelling_becomes_a_dotted_quad(url: str) -> None:
    target = parse_fetch_url(url)
    assert target.host == "127.0.0.1"
    assert str(target.address) == "127.0.0.1"
    assert target.url == "http://127.0.0.1/"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://0/", "0.0.0.0"),
        ("http://0x/", "0.0.0.0"),
        ("http://10.1/", "10.0.0.1"),
        ("http://3232235777/", "192.168.1.1"),
        ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254"),
        ("http://169.254.43518/", "169.254.169.254"),
        ("http://1.2.3.0x/", "1.2.3.0"),
    ],
)
def test_ipv4_numbers_in_the_last_label_are_addresses(url: str, host: str) -> None:
    assert parse_fetch_url(url).host == host


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com", FetchTarget("http", "example.com", 80, "/", "http://example.com/")),
        (
            "HTTPS://Example.COM:443/a/b?c=1#frag",
            FetchTarget("https", "example.com", 443, "/a/b?c=1", "https://example.com/a/b?c=1"),
        ),
        (
            "http://example.com:8080?q",
            FetchTarget("http", "example.com", 8080, "/?q", "http://example.com:8080/?q"),
        ),
        (
            "http://example.com:/",
            FetchTarget("http", "example.com", 80, "/", "http://example.com/"),
        ),
        (
            "http://b\u00fccher.example/caf\u00e9",
            FetchTarget(
                "http",
                "xn--bcher-kva.example",
                80,
                "/caf%C3%A9",
                "http://xn--bcher-kva.example/caf%C3%A9",
            ),
        ),
        (
            "http://\u4f8b\u3048.\u30c6\u30b9\u30c8/",
            FetchTarget(
                "http", "xn--r8jz45g.xn--zckzah", 80, "/", "http://xn--r8jz45g.xn--zckzah/"
            ),
        ),
        (
            "http://[2606:4700:4700:0::1111]:8443/x",
            FetchTarget(
                "http", "2606:4700:4700::1111", 8443, "/x", "http://[2606:4700:4700::1111]:8443/x"
            ),
        ),
        (
            "http://my_host.example/",
            FetchTarget("http", "my_host.example", 80, "/", "http://my_host.example/"),
        ),
    ],
)
def test_parses_and_normalises(url: str, expected: FetchTarget) -> None:
    assert parse_fetch_url(url) == expected


def test_bracketed_ipv4_mapped_literal_is_an_ipv6_address() -> None:
    target = parse_fetch_url("http://[::FFFF:127.0.0.1]/")
    assert str(target.address) == "::ffff:7f00:1"
    assert target.url == "http://[::ffff:7f00:1]/"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme 'file'"),
        ("FILE:///etc/passwd", "scheme 'file'"),
        ("ftp://x/", "scheme 'ftp'"),
        ("gopher://x:70/_GET", "scheme 'gopher'"),
        ("data:text/plain;base64,aGk=", "scheme 'data'"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("dict://x:11211/", "scheme 'dict'"),
        ("ws://x/", "scheme 'ws'"),
        ("//example.com/", "no scheme"),
        ("example.com/", "no scheme"),
        ("http:example.com", "scheme://host"),
        ("http:/example.com", "scheme://host"),
        ("http://user:pw@host/", "user name or password"),
        ("http://user@host/", "user name or password"),
        ("http://evil.com\\@127.0.0.1/", "user name or password"),
        ("http://evil.com\\.127.0.0.1/", "backslash"),
        ("http://[::1%25eth0]/", "zone"),
        ("http://[fe80::1%eth0]/", "zone"),
        ("http://[::1/", "malformed IPv6"),
        ("http://[::1]x/", "malformed IPv6"),
        ("http://[zz::1]/", "malformed IPv6"),
        ("http://::1/", "brackets"),
        ("http:///path", "no host"),
        ("http://", "no host"),
        ("http://:8080/", "no host"),
        ("http://host:0/", "port"),
        ("http://host:65536/", "port"),
        ("http://host:8o/", "port"),
        ("http://host:-1/", "port"),
        (" http://host/", "whitespace"),
        ("http://host/\n", "whitespace"),
        ("http://ho st/", "whitespace"),
        ("http://host/a\tb", "whitespace"),
        ("http://host\x00/", "control"),
        ("http://a..b/", "domain name"),
        ("http://-a.example/", "domain name"),
        ("http://a*.example/", "domain name"),
        ("http://127.0.0.1%2f.example/", "domain name"),
        ("http://" + "a" * 64 + ".example/", "domain name"),
        ("http://256.0.0.1/", "IPv4"),
        ("http://1.2.3.4.5/", "IPv4"),
        ("http://4294967296/", "IPv4"),
        ("http://09.0.0.1/", "IPv4"),
        ("http://0x1g.0.0.1/", "IPv4"),
        ("http://1.2.3.256/", "IPv4"),
        ("http://example.123/", "IPv4"),
        ("http://example.com/" + "a" * 2030, "longer than 2048"),
    ],
)
def test_refuses(url: str, reason: str) -> None:
    with pytest.raises(InvalidFetchUrlError, match=reason):
        parse_fetch_url(url)


def test_a_url_of_exactly_the_limit_is_accepted() -> None:
    url = "http://example.com/" + "a" * (2048 - len("http://example.com/"))
    assert parse_fetch_url(url).url == url


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/other?x=1", "https://example.com/other?x=1"),
        ("sibling", "https://example.com/dir/sibling"),
        ("../up", "https://example.com/up"),
        ("?q=2", "https://example.com/dir/page?q=2"),
        ("//cdn.example/img.png", "https://cdn.example/img.png"),
        ("http://example.com/downgraded", "http://example.com/downgraded"),
        ("HTTP://0x7f.1:8080/", "http://127.0.0.1:8080/"),
    ],
)
def test_redirect_locations_resolve_against_the_current_url(location: str, expected: str) -> None:
    current = parse_fetch_url("https://example.com/dir/page")
    assert resolve_location(current, location).url == expected


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "gopher://x/", "http:relative", "http://u:p@x/", "/a b"]
)
def test_redirect_locations_pass_the_same_checks(location: str) -> None:
    current = parse_fetch_url("https://example.com/dir/page")
    with pytest.raises(InvalidFetchUrlError):
        resolve_location(current, location)
