"""Which IP addresses the fetcher may connect to: globally routable unicast, or operator-allowed.

The ranges are listed explicitly rather than taken from ``ipaddress``'s ``is_private`` and
``is_global`` alone, because those properties have changed between Python patch releases and
miss some ranges (multicast counts as "global" in several of them).
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from imgwired.ingest.errors import ForbiddenAddressError

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

# First match wins, so narrower ranges come before the ranges that contain them.
_IPV4_RANGES: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), category)
    for net, category in (
        ("0.0.0.0/32", "unspecified"),
        ("0.0.0.0/8", "current-network"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared (CGNAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.169.254/32", "cloud metadata"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignment"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

_IPV6_RANGES: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), category)
    for net, category in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("100::/64", "discard-only"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("fc00::/7", "unique-local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)

_MAPPED = IPv6Network("::ffff:0:0/96")
_COMPATIBLE = IPv6Network("::/96")
_NAT64 = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")


def check_address(ip: IPAddress, *, allowed_networks: Sequence[IPNetwork] = ()) -> None:
    """Return if ``ip`` is globally routable unicast or inside ``allowed_networks``, else raise."""
    if any(ip.version == net.version and ip in net for net in allowed_networks):
        return
    category, embedded = _classify(ip)
    if category is None:
        return
    if embedded is None:
        raise ForbiddenAddressError(f"{ip} is {_article(category)} address", category=category)
    inner, _ = _classify(embedded)
    detail = f"{ip} is {_article(category)} address"
    if inner is not None:
        detail += f" embedding {embedded}, {_article(inner)} address"
    raise ForbiddenAddressError(detail, category=category)


def _classify(ip: IPAddress) -> tuple[str | None, IPv4Address | None]:
    """Return the forbidden category of ``ip`` (None if allowed) and any IPv4 address it embeds."""
    if isinstance(ip, IPv4Address):
        for net, category in _IPV4_RANGES:
            if ip in net:
                return category, None
        return (None if ip.is_global else "non-global"), None
    for net6, category in _IPV6_RANGES:
        if ip in net6:
            return category, None
    # Every IPv6 form that carries an IPv4 address is refused outright: a stack that translates
    # it would reach that IPv4 address, and no legitimate image host publishes such a record.
    low32 = IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _MAPPED:
        return "IPv4-mapped", low32
    if ip in _COMPATIBLE:
        return "IPv4-compatible", low32
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return "NAT64", low32
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip.teredo is not None:
        return "Teredo", ip.teredo[1]
    if ip.is_multicast or ip.is_reserved or not ip.is_global:
        return "non-global", None
    return None, None


def _article(category: str) -> str:
    vowel = category[0] in "aeioAEIO" or category == "unspecified"
    return f"{'an' if vowel else 'a'} {category}"
