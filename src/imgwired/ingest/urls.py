"""Parse a URL to fetch into one unambiguous target, spelling its host the way browsers do.

The parser is deliberately stricter than the WHATWG URL standard: anything a browser would
silently repair (userinfo, missing ``//``, whitespace, backslashes in the authority) is refused,
so that the host we check is the host the HTTP client connects to. Hosts follow the WHATWG host
parser: percent-decoding, IDNA (UTS #46) mapping to punycode, and IPv4 numbers in any spelling
libc accepts (``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``) become dotted quads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address
from urllib.parse import quote, unquote_to_bytes, urljoin

import idna

from imgwired.ingest.errors import InvalidFetchUrlError

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Any character that is not a C0 control, space, DEL or non-ASCII is left as it is in the path.
_PATH_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))
# Letters, digits, hyphen, underscore and dot: what DNS names in the wild actually use.
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?")


@dataclass(frozen=True, slots=True)
class FetchTarget:
    """A parsed http(s) URL; ``host`` is punycode, a dotted IPv4 or an unbracketed IPv6."""

    scheme: str
    host: str
    port: int
    path_and_query: str
    url: str

    @property
    def address(self) -> IPv4Address | IPv6Address | None:
        """The host as an IP address if the URL names one literally, else None."""
        try:
            return ip_address(self.host)
        except ValueError:
            return None


def parse_fetch_url(url: str) -> FetchTarget:
    """Parse ``url`` into a normalised target, or raise InvalidFetchUrlError if it is refused."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidFetchUrlError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch <= " " or ch == "\x7f" for ch in url):
        raise InvalidFetchUrlError("the URL contains whitespace or control characters")
    match = _SCHEME.match(url)
    if match is None:
        raise InvalidFetchUrlError("the URL has no scheme; use http:// or https://")
    scheme = match.group(1).lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidFetchUrlError(f"the scheme {scheme!r} is not allowed; use http or https")
    rest = url[match.end() :]
    if not rest.startswith("//"):
        raise InvalidFetchUrlError("the URL must have the form scheme://host/path")
    rest = rest[2:]
    end = next((i for i, ch in enumerate(rest) if ch in "/?#"), len(rest))
    authority, path = rest[:end], rest[end:]
    if "@" in authority:
        raise InvalidFetchUrlError("the URL must not contain a user name or password")
    if "\\" in authority:
        raise InvalidFetchUrlError("the URL's host must not contain a backslash")

    host, port = _split_authority(authority, DEFAULT_PORTS[scheme])
    path = path.split("#", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    path = quote(path, safe=_PATH_SAFE)

    netloc = f"[{host}]" if ":" in host else host
    if port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return FetchTarget(scheme, host, port, path, f"{scheme}://{netloc}{path}")


def resolve_location(current: FetchTarget, location: str) -> FetchTarget:
    """Parse a redirect's Location, relative ones against ``current``, with the same rules."""
    if _SCHEME.match(location):
        # Absolute Locations are parsed as given, so "http:evil" is refused, not made relative.
        return parse_fetch_url(location)
    return parse_fetch_url(urljoin(current.url, location))


def _split_authority(authority: str, default_port: int) -> tuple[str, int]:
    """Split ``host[:port]`` into a normalised host and a port number."""
    if authority.startswith("["):
        literal, sep, after = authority[1:].partition("]")
        if not sep or (after and not after.startswith(":")):
            raise InvalidFetchUrlError("the URL has a malformed IPv6 host")
        return _parse_ipv6(literal), _parse_port(after[1:], default_port) if after else default_port
    host, sep, port_text = authority.partition(":")
    if ":" in port_text:
        raise InvalidFetchUrlError("an IPv6 host must be written in brackets")
    port = _parse_port(port_text, default_port) if sep else default_port
    return _parse_host(host), port


def _parse_port(text: str, default_port: int) -> int:
    if text == "":
        return default_port  # "http://host:/" means the default port, as in WHATWG.
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 65536:
        raise InvalidFetchUrlError(f"the port {text!r} is not a number from 1 to 65535")
    return int(text)


def _parse_ipv6(literal: str) -> str:
    if "%" in literal:
        raise InvalidFetchUrlError("IPv6 zone identifiers are not allowed")
    try:
        return IPv6Address(literal).compressed
    except ValueError:
        raise InvalidFetchUrlError("the URL has a malformed IPv6 host") from None


def _parse_host(raw: str) -> str:
    """Apply the WHATWG host parser to a non-bracketed host: domain or IPv4 number."""
    try:
        decoded = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidFetchUrlError("the URL's host is not valid UTF-8") from None
    if decoded == "":
        raise InvalidFetchUrlError("the URL has no host")
    if decoded.isascii():
        ascii_host = decoded.lower()
    else:
        try:
            # UTS #46 maps full-width digits and ideographic full stops to ASCII, so such a host
            # reaches the IPv4 check below as "127.0.0.1", exactly as in a browser.
            ascii_host = idna.encode(decoded, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise InvalidFetchUrlError("the URL's host is not a valid domain name") from None
    if _ends_in_number(ascii_host):
        return str(_parse_ipv4(ascii_host))
    return _check_domain(ascii_host)


def _check_domain(host: str) -> str:
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise InvalidFetchUrlError("the URL's host is not a valid domain name")
    return host


def _ends_in_number(host: str) -> bool:
    """WHATWG "ends in a number": the last non-empty label is decimal digits or an IPv4 number."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    if last != "" and last.isascii() and last.isdigit():
        return True
    return _ipv4_number(last) is not None


def _parse_ipv4(host: str) -> IPv4Address:
    """WHATWG IPv4 parser: up to four dot-separated numbers, the last one filling the rest."""
    invalid = InvalidFetchUrlError(f"the host {host!r} is not a valid IPv4 address")
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise invalid
    numbers = [_ipv4_number(part) for part in parts]
    if any(n is None for n in numbers):
        raise invalid
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        raise invalid
    total = values[-1]
    for index, value in enumerate(values[:-1]):
        total += value * 256 ** (3 - index)
    return IPv4Address(total)


def _ipv4_number(part: str) -> int | None:
    """Parse one IPv4 part as decimal, 0x-hex or 0-octal, as inet_aton does; None if it is not."""
    if part == "" or not part.isascii():
        return None
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
        if digits == "":
            return 0
    elif len(part) > 1 and part[0] == "0":
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    try:
        # int() would also accept "_", "+" and whitespace, which are not IPv4 digits.
        return int(digits, base) if digits.isalnum() else None
    except ValueError:
        return None
