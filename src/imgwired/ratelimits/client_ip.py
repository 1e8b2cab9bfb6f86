"""Which client a request comes from: the peer address, or, behind trusted proxies, the address
that the nearest untrusted hop named in ``X-Forwarded-For``.

Each proxy appends the address it received the request from, so the list is read from the
right: entries written by trusted proxies are skipped, and the first address that is not a
trusted proxy is the client. Anything left of it was written by the client and proves nothing.
Without trusted proxies (the default) the header is ignored: anyone can send it.

IPv6 clients are counted by their /64 network, which one subscriber typically holds whole: a
client must not get a fresh bucket for each of its 2**64 addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

# More hops than this are not walked: a long header is a client's invention.
_MAX_HOPS = 32
_MAX_SUBJECT = 64


class TrustedProxies:
    def __init__(self, networks: Iterable[str] = ()) -> None:
        self._networks = tuple(ip_network(network, strict=False) for network in networks)

    def trusts(self, address: IPv4Address | IPv6Address) -> bool:
        return any(address in network for network in self._networks)

    def client_of(self, peer: str | None, forwarded_for: Sequence[str]) -> str:
        """The client's identity for rate limits: an IPv4 address or an IPv6 /64 network; or
        the peer as given when it is not an address (a test client, a Unix socket)."""
        peer_address = parse_address(peer or "")
        if peer_address is None:
            return (peer or "unknown")[:_MAX_SUBJECT]
        client = peer_address
        if self._networks and self.trusts(peer_address):
            for hop in _hops_from_the_right(forwarded_for):
                address = parse_address(hop)
                if address is None:
                    break  # a trusted proxy would not write this: stop at the last one read
                client = address
                if not self.trusts(address):
                    break
        return subject_of(client)


def subject_of(address: IPv4Address | IPv6Address) -> str:
    """The bucket an address counts in: itself, or its /64 for IPv6 (IPv4-mapped: the IPv4)."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ip_network(f"{address}/64", strict=False))
    return str(address)


def _hops_from_the_right(values: Sequence[str]) -> list[str]:
    """The entries of every ``X-Forwarded-For`` line, nearest hop first, at most ``_MAX_HOPS``."""
    hops = [hop.strip() for value in values for hop in value.split(",")]
    return hops[::-1][:_MAX_HOPS]


def parse_address(text: str) -> IPv4Address | IPv6Address | None:
    """An address as proxies write it: bare, ``[v6]`` or ``[v6]:port``, or ``v4:port``."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ip_address(text)
    except ValueError:
        return None
