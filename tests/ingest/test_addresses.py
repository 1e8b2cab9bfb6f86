"""check_address: only globally routable unicast passes, unless the operator allows a network."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from imgwired.ingest import ForbiddenAddressError, check_address

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "cloud metadata"),
    ("169.254.1.1", "link-local"),
    ("100.64.0.1", "shared (CGNAT)"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "current-network"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("192.0.0.8", "IETF protocol assignment"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fc00::1", "unique-local"),
    ("fd12::1", "unique-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("100::1", "discard-only"),
    ("::ffff:127.0.0.1", "IPv4-mapped"),
    ("::ffff:10.0.0.1", "IPv4-mapped"),
    ("::ffff:8.8.8.8", "IPv4-mapped"),
    ("::127.0.0.1", "IPv4-compatible"),
    ("64:ff9b::a00:1", "NAT64"),
    ("64:ff9b::808:808", "NAT64"),
    ("64:ff9b:1::1", "NAT64"),
    ("2002:7f00:1::", "6to4"),
    ("2002:808:808::1", "6to4"),
    ("2001:0::", "Teredo"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
]


@pytest.mark.parametrize(("address", "category"), REFUSED)
def test_refuses_non_public_addresses(address: str, category: str) -> None:
    with pytest.raises(ForbiddenAddressError) as caught:
        check_address(ip_address(address))
    assert caught.value.category == category
    assert caught.value.detail.startswith(f"{ip_address(address)} is a")
    assert category in caught.value.detail


@pytest.mark.parametrize(
    ("address", "detail"),
    [
        ("10.1.2.3", "10.1.2.3 is a private address"),
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("::ffff:10.0.0.1", "is an IPv4-mapped address embedding 10.0.0.1, a private address"),
        ("2002:7f00:1::", "is a 6to4 address embedding 127.0.0.1, a loopback address"),
    ],
)
def test_detail_names_the_category_and_any_embedded_address(address: str, detail: str) -> None:
    with pytest.raises(ForbiddenAddressError, match=detail.replace(".", r"\.")):
        check_address(ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "2a00:1450::1"]
)
def test_accepts_global_unicast(address: str) -> None:
    check_address(ip_address(address))


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", ["127.0.0.1/32"]),
        ("10.20.30.40", ["10.0.0.0/8"]),
        ("::1", ["::1/128"]),
        ("fd00::5", ["127.0.0.0/8", "fd00::/8"]),
    ],
)
def test_allowed_networks_bypass_the_check(address: str, allowed: list[str]) -> None:
    check_address(ip_address(address), allowed_networks=[ip_network(n) for n in allowed])


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.2", "127.0.0.1/32"),
        ("10.0.0.1", "192.168.0.0/16"),
        # An IPv4 allowlist entry does not admit the same address spelled as IPv6.
        ("::ffff:127.0.0.1", "127.0.0.1/32"),
    ],
)
def test_allowed_networks_admit_nothing_else(address: str, allowed: str) -> None:
    with pytest.raises(ForbiddenAddressError):
        check_address(ip_address(address), allowed_networks=[ip_network(allowed)])
