"""Strict parsing of a request's Origin header into the exact form a browser serialises.

Matching is byte-exact: a value is accepted only if it is character for character what a
browser would send (lowercase scheme and host, punycode, no default port, no path), so any
other spelling cannot slip past a pattern through lenient normalisation here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from imgwired.dns_names import ends_in_number

__all__ = [
    "DEFAULT_PORTS",
    "MAX_ORIGIN_LENGTH",
    "Origin",
    "canonical_ipv6",
    "parse_origin",
]

MAX_ORIGIN_LENGTH = 2048
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}

_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
_IPV6_CHARS = frozenset("0123456789abcdef:")
_MAX_LABEL = 63
_MAX_HOST = 253
# "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" is the longest canonical IPv6 text.
_MAX_IPV6_TEXT = 39


@dataclass(frozen=True, slots=True)
class Origin:
    """A browser-serialised origin; ``port`` is the effective port, default filled in."""

    scheme: str
    host: str
    port: int
    serialized: str


def canonical_ipv6(text: str) -> str | None:
    """Return ``text`` as a bracket-less RFC 5952 / WHATWG IPv6 string, or None if invalid."""
    if "%" in text:
        # Zone identifiers are meaningless in an origin and browsers refuse them.
        return None
    try:
        packed = ipaddress.IPv6Address(text).packed
    except ValueError:
        return None
    # Serialised by hand: ipaddress prints IPv4-mapped addresses differently across Python
    # versions, and browsers always use hex pieces.
    pieces = [int.from_bytes(packed[i : i + 2], "big") for i in range(0, 16, 2)]
    best_start, best_len = -1, 1
    i = 0
    while i < 8:
        if pieces[i]:
            i += 1
            continue
        j = i
        while j < 8 and not pieces[j]:
            j += 1
        if j - i > best_len:
            best_start, best_len = i, j - i
        i = j
    if best_start < 0:
        return ":".join(f"{p:x}" for p in pieces)
    head = ":".join(f"{p:x}" for p in pieces[:best_start])
    tail = ":".join(f"{p:x}" for p in pieces[best_start + best_len :])
    return f"{head}::{tail}"


def _is_canonical_ipv4(host: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(host)) == host
    except ValueError:
        return False


def _valid_host(host: str) -> bool:
    if host.startswith("["):
        inner = host[1:-1]
        return (
            host.endswith("]")
            and 0 < len(inner) <= _MAX_IPV6_TEXT
            and _IPV6_CHARS.issuperset(inner)
            and canonical_ipv6(inner) == inner
        )
    if not host or len(host) > _MAX_HOST or not _HOST_CHARS.issuperset(host):
        return False
    if any(not 0 < len(label) <= _MAX_LABEL for label in host.split(".")):
        # Also refuses a trailing dot, which leaves an empty last label.
        return False
    return _is_canonical_ipv4(host) if ends_in_number(host) else True


def _parse_port(text: str, scheme: str) -> int | None:
    # Five digits at most, no leading zero, never the scheme's default: browsers omit it.
    if not 0 < len(text) <= 5 or not text.isdigit() or text[0] == "0":
        return None
    port = int(text)
    return port if port <= 65535 and port != DEFAULT_PORTS[scheme] else None


def parse_origin(header_values: list[bytes] | list[str]) -> Origin | None:
    """Return the request's single Origin header as an Origin, or None if it must never match."""
    if len(header_values) != 1:
        return None
    raw = header_values[0]
    # Length first so a huge value costs nothing beyond this comparison.
    if not 0 < len(raw) <= MAX_ORIGIN_LENGTH:
        return None
    if isinstance(raw, bytes):
        if not raw.isascii():
            return None
        value = raw.decode("ascii")
    elif raw.isascii():
        value = raw
    else:
        return None
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in DEFAULT_PORTS:
        return None
    if rest.startswith("["):
        end = rest.find("]") + 1
        if not end:
            return None
        host, after = rest[:end], rest[end:]
        if after and not after.startswith(":"):
            return None
        port_text = after[1:]
        has_port = bool(after)
    else:
        host, colon, port_text = rest.partition(":")
        has_port = bool(colon)
    if not _valid_host(host):
        return None
    if has_port:
        port = _parse_port(port_text, scheme)
        if port is None:
            return None
    else:
        port = DEFAULT_PORTS[scheme]
    return Origin(scheme=scheme, host=host, port=port, serialized=value)
