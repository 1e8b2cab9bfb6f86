"""``parse_nameserver()``: one ``IMGWIRED_CUSTOM_DOMAIN_DNS_SERVERS`` entry as (address, port)."""

from __future__ import annotations

import ipaddress

DNS_PORT = 53


def parse_nameserver(entry: str) -> tuple[str, int]:
    """``ip``, ``ip:port`` or ``[ipv6]:port`` as (address, port); ValueError says what is wrong.

    Addresses only, not names: resolving the resolver's own name would need a resolver.
    """
    text = entry.strip()
    address, port_text = text, ""
    if text.startswith("["):
        address, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"DNS server {entry!r}: write an IPv6 address as '[::1]:53'")
        port_text = rest[1:]
    elif text.count(":") == 1:
        address, _, port_text = text.partition(":")
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(
            f"DNS server {entry!r} must be an IP address, optionally with a port"
        ) from None
    if not port_text:
        return str(parsed), DNS_PORT
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"DNS server {entry!r}: the port must be a number from 1 to 65535")
    return str(parsed), int(port_text)
