"""parse_origin: only the exact browser serialisation of one origin is accepted."""

from __future__ import annotations

from typing import NoReturn, SupportsIndex

import pytest

from imgwired.cors.origins import Origin, canonical_ipv6, parse_origin


@pytest.mark.parametrize(
    ("value", "scheme", "host", "port"),
    [
        ("https://app.example.com", "https", "app.example.com", 443),
        ("http://app.example.com", "http", "app.example.com", 80),
        ("https://x.example.com:8443", "https", "x.example.com", 8443),
        ("http://localhost:3000", "http", "localhost", 3000),
        ("https://localhost:3000", "https", "localhost", 3000),
        ("http://127.0.0.1", "http", "127.0.0.1", 80),
        ("http://127.0.0.1:8080", "http", "127.0.0.1", 8080),
        ("http://[::1]", "http", "[::1]", 80),
        ("http://[::1]:3000", "http", "[::1]", 3000),
        ("https://[2001:db8::1]", "https", "[2001:db8::1]", 443),
        ("https://[::ffff:c000:201]", "https", "[::ffff:c000:201]", 443),
        ("https://xn--bcher-kva.example", "https", "xn--bcher-kva.example", 443),
        ("http://a.com:443", "http", "a.com", 443),
        ("https://a.com:80", "https", "a.com", 80),
        ("https://a.com:1", "https", "a.com", 1),
        ("https://a.com:65535", "https", "a.com", 65535),
        ("https://intranet", "https", "intranet", 443),
    ],
)
def test_accepted(value: str, scheme: str, host: str, port: int) -> None:
    expected = Origin(scheme=scheme, host=host, port=port, serialized=value)
    assert parse_origin([value]) == expected
    assert parse_origin([value.encode("ascii")]) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "null",
        "NULL",
        "https://",
        "https://:8443",
        "app.example.com",
        "//app.example.com",
        "ftp://app.example.com",
        "HTTPS://app.example.com",
        "Https://app.example.com",
        "https://App.example.com",
        "https://APP.EXAMPLE.COM",
        "https://app.example.com/",
        "https://app.example.com/app",
        "https://app.example.com?x",
        "https://app.example.com#x",
        "https://app.example.com.",
        "https://app..example.com",
        "https://.app.example.com",
        "https://user@app.example.com",
        "https://user:pw@app.example.com",
        "https://a.com, https://b.com",
        "https://a.com,https://b.com",
        "https://a.com https://b.com",
        " https://a.com",
        "https://a.com ",
        "https://a.com\t",
        "https://a.com\r\n",
        "https://a.com:443",
        "http://a.com:80",
        "https://a.com:",
        "https://a.com:0",
        "https://a.com:08443",
        "https://a.com:65536",
        "https://a.com:+8443",
        "https://a.com:8443:1",
        "https://a_b.com",
        "https://*.example.com",
        "https://bücher.example",
        "https://xn--bcher-kva.example\u200b",
        "https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",
        "http://127.1",
        "http://127.0.0.01",
        "http://0x7f.0.0.1",
        "http://2130706433",
        "http://[::1",
        "http://[::1]x",
        "http://[0:0:0:0:0:0:0:1]",
        "http://[::0001]",
        "http://[2001:DB8::1]",
        "http://[::ffff:192.0.2.1]",
        "http://[fe80::1%25eth0]",
        "http://::1",
        f"https://{'a' * 64}.com",
        "https://" + ".".join(["a" * 63] * 4),
    ],
)
def test_never_matches(value: str) -> None:
    assert parse_origin([value]) is None
    assert parse_origin([value.encode("utf-8")]) is None


@pytest.mark.parametrize(
    "values",
    [
        [],
        [b""],
        ["https://a.com", "https://a.com"],
        [b"https://a.com", b"https://b.com"],
        [b"\xff\xfe"],
        [b"https://b\xc3\xbccher.example"],
        [b"https://a.com\x00"],
    ],
)
def test_header_lists_that_never_match(values: list[bytes] | list[str]) -> None:
    assert parse_origin(values) is None


@pytest.mark.parametrize("size", [2049, 10 * 1024, 1024 * 1024])
def test_oversized_values_never_match(size: int) -> None:
    value = "https://" + "a" * (size - len("https://"))
    assert parse_origin([value]) is None
    assert parse_origin([value.encode("ascii")]) is None


def test_longest_valid_host_is_accepted() -> None:
    host = ".".join(["a" * 63] * 3 + ["b" * 61])  # 253 characters, the DNS maximum
    origin = parse_origin([f"https://{host}:8443"])
    assert origin is not None
    assert origin.host == host


class _Tripwire(bytes):
    """A header value that fails the test if anything but its length is consulted."""

    def _touched(self, *args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("parse_origin read an oversized value instead of refusing it")

    decode = isascii = startswith = find = partition = split = _touched

    def __getitem__(self, index: SupportsIndex | slice) -> NoReturn:
        self._touched(index)

    def __iter__(self) -> NoReturn:
        self._touched()


@pytest.mark.parametrize("size", [10 * 1024, 1024 * 1024])
def test_oversized_value_is_refused_by_length_before_any_parsing(size: int) -> None:
    # Proves the cost is one length comparison, without a flaky timing assertion.
    values: list[bytes] = [_Tripwire(b"h" * size)]
    assert parse_origin(values) is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("::1", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("::", "::"),
        ("1::", "1::"),
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("1:0:1:1:1:1:1:1", "1:0:1:1:1:1:1:1"),
        ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("0001::0002", "1::2"),
        ("fe80::1%eth0", None),
        ("1::2::3", None),
        ("", None),
    ],
)
def test_canonical_ipv6(text: str, canonical: str | None) -> None:
    assert canonical_ipv6(text) == canonical
