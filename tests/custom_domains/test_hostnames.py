"""Which hostnames a custom domain may have, the one form they are kept in, and why others fail."""

from __future__ import annotations

import pytest

from imgwired.custom_domains.hostnames import normalise_host_header, parse_hostname
from imgwired.errors import InvalidHostnameError
from imgwired.nameservers import parse_nameserver


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("images.example.com", "images.example.com"),
        ("  Images.EXAMPLE.com ", "images.example.com"),
        ("images.example.com.", "images.example.com"),
        ("images.example.co.uk", "images.example.co.uk"),
        ("a.b.c.example.com", "a.b.c.example.com"),
        ("img-1.example.com", "img-1.example.com"),
        ("bilder.bücher.example", "bilder.xn--bcher-kva.example"),
        ("BILDER.BÜCHER.example", "bilder.xn--bcher-kva.example"),
        ("bilder.xn--bcher-kva.example", "bilder.xn--bcher-kva.example"),
        ("images.example.github.io", "images.example.github.io"),
        ("x" * 63 + ".example.com", "x" * 63 + ".example.com"),
    ],
)
def test_accepted_hostnames_are_stored_lowercase_punycode(raw: str, stored: str) -> None:
    assert parse_hostname(raw) == stored


BAD_HOSTNAMES = [
    ("", "empty"),
    ("   ", "empty"),
    ("https://images.example.com", "scheme"),
    ("http://images.example.com/", "scheme"),
    ("images.example.com:8443", "port"),
    ("images.example.com:", "port"),
    ("images.example.com/photos", "path"),
    ("images.example.com?x=1", "query"),
    ("images.example.com#top", "fragment"),
    ("user@images.example.com", "user info"),
    ("*.example.com", "wildcard"),
    ("img*.example.com", "wildcard"),
    ("192.0.2.10", "ip address"),
    ("10.1", "ip address"),
    ("[2001:db8::1]", "ip address"),
    ("2001:db8::1", "ip address"),
    ("images.example.123", "ip address"),
    ("example.com", "apex"),
    ("example.co.uk", "apex"),
    ("example.github.io", "apex"),
    ("com", "public suffix"),
    ("co.uk", "public suffix"),
    ("github.io", "public suffix"),
    ("localhost", "special-use"),
    ("images.localhost", "special-use"),
    ("printer.home.local", "special-use"),
    ("images.example.invalid", "special-use"),
    ("-images.example.com", "hyphen"),
    ("images-.example.com", "hyphen"),
    ("ima_ges.example.com", "invalid character"),
    ("images..example.com", "empty label"),
    (".images.example.com", "empty label"),
    ("images.example.com..", "empty label"),
    ("x" * 64 + ".example.com", "too long"),
    (".".join(["a" * 60] * 4) + ".example.com", "too long"),
    ("images example.com", "whitespace"),
    ("images.exa\x00mple.com", "control character"),
    ("ab--cd.example.com", "not a valid domain name"),
    ("xn--zz.example.com", "not a valid domain name"),
    ("bilder.bü☃cher.example", "internationalised"),
    ("bilder.bücher\u200d.example", "control character"),
]


@pytest.mark.parametrize(("raw", "words"), BAD_HOSTNAMES)
def test_refusals_say_why(raw: str, words: str) -> None:
    with pytest.raises(InvalidHostnameError) as refused:
        parse_hostname(raw)
    assert words in refused.value.detail.lower(), refused.value.detail
    assert refused.value.loc == ("body", "hostname")


@pytest.mark.parametrize(
    ("header", "hostname"),
    [
        ("images.example.com", "images.example.com"),
        ("images.example.com:443", "images.example.com"),
        ("images.example.com.:8080", "images.example.com"),
        ("IMAGES.example.com", "images.example.com"),
        ("[::1]:8000", None),
    ],
)
def test_host_headers_name_a_hostname_without_port(header: str, hostname: str | None) -> None:
    assert normalise_host_header(header) == hostname


@pytest.mark.parametrize(
    ("entry", "parsed"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("2001:db8::53", ("2001:db8::53", 53)),
        ("[2001:db8::53]:5353", ("2001:db8::53", 5353)),
        ("[::1]", ("::1", 53)),
    ],
)
def test_nameserver_entries(entry: str, parsed: tuple[str, int]) -> None:
    assert parse_nameserver(entry) == parsed


@pytest.mark.parametrize(
    "entry", ["dns.example.com", "127.0.0.1:0", "127.0.0.1:dns", "[::1", "1.2.3.4:70000", ""]
)
def test_bad_nameserver_entries(entry: str) -> None:
    with pytest.raises(ValueError, match="DNS server"):
        parse_nameserver(entry)
