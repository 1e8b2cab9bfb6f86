"""Parsing, validation and normalisation of the CORS origin patterns users store.

Grammar: ``[scheme://]host[:port]`` where host is a DNS name (IDN allowed), a canonical IPv4
address, a bracketed IPv6 address or ``localhost``, optionally behind one leading ``*.``.
Every refusal says exactly what is wrong, because the message is shown to the user.

The host is mapped with UTS 46 before any check looks at it (``dns_names.map_dns_text``), so a
fullwidth dot, ``①`` or ``。`` is judged as the character it stands for, and the stored form
(``OriginPattern.normalized``) parses again to the same pattern.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from imgwired.cors.origins import DEFAULT_PORTS, MAX_ORIGIN_LENGTH, canonical_ipv6
from imgwired.dns_names import DnsNameError, ends_in_number, map_dns_text, normalise_dns_name
from imgwired.errors import InvalidInputError

__all__ = ["InvalidOriginPatternError", "OriginPattern", "parse_pattern"]

_LOOPBACK_V4 = ipaddress.IPv4Network("127.0.0.0/8")


class InvalidOriginPatternError(InvalidInputError):
    """An origin pattern was refused; ``detail`` tells the user why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, loc=("body", "pattern"))


@dataclass(frozen=True, slots=True)
class OriginPattern:
    """A validated pattern; ``host`` is the suffix after ``*.`` when ``wildcard`` is set.

    ``normalized`` is the canonical text to store and compare for duplicates. IPv6 hosts keep
    their brackets, as in a serialised origin. ``port`` None means each scheme's default.
    """

    normalized: str
    schemes: frozenset[str]
    host: str
    wildcard: bool
    port: int | None


@lru_cache(maxsize=1)
def _public_suffix_list() -> PublicSuffixList:
    # Parsing the bundled list takes tens of milliseconds: do it on first use, once.
    return PublicSuffixList()


def parse_pattern(raw: str) -> OriginPattern:
    """Validate and normalise one user-supplied pattern, raising InvalidOriginPatternError."""
    if len(raw) > MAX_ORIGIN_LENGTH:
        raise InvalidOriginPatternError(
            f"pattern is too long: {len(raw)} characters, at most {MAX_ORIGIN_LENGTH} allowed"
        )
    text = raw.strip()
    if not text:
        raise InvalidOriginPatternError(
            "pattern is empty: enter an origin such as 'app.example.com'"
        )
    # Invisible characters are refused as typed: the mapping would drop some of them silently.
    _refuse_invisible(text)
    explicit_scheme, rest = _split_scheme(text)
    authority = _strip_path(rest)
    if "@" in authority:
        raise InvalidOriginPatternError(
            f"pattern must not contain user info: remove '{authority.rpartition('@')[0]}@'"
        )
    host_text, port_text = _split_port(authority)
    if not host_text:
        if port_text is not None:
            raise InvalidOriginPatternError("pattern has a port but no host")
        raise InvalidOriginPatternError("pattern has no host")
    wildcard, host_text = _split_wildcard(_mapped_host(host_text))
    host, loopback = _normalise_host(host_text, wildcard)
    if wildcard and not loopback and _public_suffix_list().is_public(host):
        raise InvalidOriginPatternError(
            f"wildcard over a public suffix: '*.{host}' would match sites run by "
            f"unrelated owners; use a domain you control, such as '*.example.{host}'"
        )
    schemes = frozenset({explicit_scheme} if explicit_scheme else _implicit_schemes(loopback))
    port = None if port_text is None else _parse_port(port_text, explicit_scheme, schemes)
    normalized = ("*." if wildcard else "") + host
    if port is not None:
        normalized = f"{normalized}:{port}"
    if explicit_scheme:
        normalized = f"{explicit_scheme}://{normalized}"
    return OriginPattern(
        normalized=normalized, schemes=schemes, host=host, wildcard=wildcard, port=port
    )


def _refuse_invisible(text: str) -> None:
    for char in text:
        if char.isspace():
            raise InvalidOriginPatternError("pattern must not contain whitespace")
        if not char.isprintable():
            raise InvalidOriginPatternError(
                f"pattern contains an invisible or control character {char!r}"
            )


def _mapped_host(host: str) -> str:
    """The host (with any ``*.``) as UTS 46 maps it, before any other check looks at it.

    As in a URL, the mapping applies to the host alone: the scheme and the port are ASCII, and
    an IPv6 literal is taken as typed.
    """
    if host.startswith("["):
        return host
    try:
        mapped = map_dns_text(host, noun="host")
    except DnsNameError as exc:
        raise InvalidOriginPatternError(str(exc)) from None
    if not mapped:
        raise InvalidOriginPatternError("pattern has no host")
    _refuse_invisible(mapped)  # a compatibility character can map to a space ('¨' is ' ̈')
    # A fullwidth colon or solidus would otherwise become a port or a path hidden in the host.
    punctuation = next((c for c in ":/?#@[]" if c in mapped and c not in host), None)
    if punctuation is not None:
        raise InvalidOriginPatternError(
            f"host contains a character that stands for '{punctuation}': "
            "write the pattern's punctuation in plain ASCII"
        )
    return mapped


def _implicit_schemes(loopback: bool) -> set[str]:
    # Plain http is only safe to allow implicitly where traffic never leaves the machine.
    return {"http", "https"} if loopback else {"https"}


def _split_scheme(text: str) -> tuple[str | None, str]:
    scheme, sep, rest = text.partition("://")
    if sep:
        lowered = scheme.lower()
        if lowered not in DEFAULT_PORTS:
            shown = f"'{scheme}'" if scheme else "an empty scheme"
            raise InvalidOriginPatternError(f"scheme must be http or https, not {shown}")
        return lowered, rest
    name, colon, after = text.partition(":")
    if colon and after.startswith("/"):
        raise InvalidOriginPatternError(f"scheme must be followed by '://': write '{name}://…'")
    return None, text


def _strip_path(rest: str) -> str:
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=-1)
    if cut < 0:
        return rest
    extra = rest[cut:]
    kind = {"/": "a path", "?": "a query", "#": "a fragment"}[extra[0]]
    raise InvalidOriginPatternError(f"pattern must not contain {kind}: remove '{extra}'")


def _split_port(authority: str) -> tuple[str, str | None]:
    bracket = authority.find("[")
    if bracket >= 0:
        # The host may still carry a '*.' prefix, refused later with a clearer message.
        end = authority.find("]", bracket) + 1
        if not end:
            raise InvalidOriginPatternError("IPv6 address is missing its closing ']'")
        host, after = authority[:end], authority[end:]
        if after and not after.startswith(":"):
            raise InvalidOriginPatternError(f"unexpected '{after}' after the IPv6 address")
        return host, after[1:] if after else None
    if authority.count(":") > 1:
        raise InvalidOriginPatternError("IPv6 address must be in brackets, such as '[::1]'")
    host, colon, port = authority.partition(":")
    return host, port if colon else None


def _split_wildcard(host: str) -> tuple[bool, str]:
    if host == "*":
        raise InvalidOriginPatternError(
            "a bare '*' is not allowed: list each origin or use a wildcard such as '*.example.com'"
        )
    wildcard = host.startswith("*.")
    suffix = host[2:] if wildcard else host
    if suffix.startswith("*."):
        raise InvalidOriginPatternError(
            "only one wildcard label is allowed: '*.example.com' already matches every depth"
        )
    if "*" in suffix:
        raise InvalidOriginPatternError(
            "wildcard '*' must be a whole leftmost label followed by a domain, "
            "as in '*.example.com'"
        )
    if wildcard and not suffix:
        raise InvalidOriginPatternError("wildcard needs a domain after '*.', as in '*.example.com'")
    return wildcard, suffix


def _normalise_host(host: str, wildcard: bool) -> tuple[str, bool]:
    """Return the canonical host and whether it is a loopback host."""
    if host.startswith("["):
        if wildcard:
            raise InvalidOriginPatternError("a wildcard cannot be used with an IP address")
        inner = canonical_ipv6(host[1:-1])
        if inner is None:
            raise InvalidOriginPatternError(f"'{host}' is not a valid IPv6 address")
        return f"[{inner}]", inner == "::1"
    if host.endswith("."):
        raise InvalidOriginPatternError(f"host must not end with a dot: write '{host[:-1]}'")
    if ends_in_number(host):
        if wildcard:
            raise InvalidOriginPatternError("a wildcard cannot be used with an IP address")
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            address = None
        if address is None or str(address) != host:
            raise InvalidOriginPatternError(
                f"'{host}' is not an IPv4 address in dotted-quad form, such as '127.0.0.1'"
            )
        return host, address in _LOOPBACK_V4
    name = _normalise_dns_name(host)
    return name, name == "localhost" or name.endswith(".localhost")


def _normalise_dns_name(host: str) -> str:
    try:
        return normalise_dns_name(host, noun="host")
    except DnsNameError as exc:
        raise InvalidOriginPatternError(str(exc)) from None


def _parse_port(text: str, explicit_scheme: str | None, schemes: frozenset[str]) -> int:
    if not text:
        raise InvalidOriginPatternError("port is empty: remove the ':' or add a port number")
    if not (text.isascii() and text.isdigit()):
        raise InvalidOriginPatternError(f"port must be a number, not '{text}'")
    if len(text) > 1 and text[0] == "0":
        raise InvalidOriginPatternError(
            f"port must not have leading zeros: write '{text.lstrip('0') or '0'}'"
        )
    port = int(text) if len(text) <= 5 else 65536
    if not 1 <= port <= 65535:
        raise InvalidOriginPatternError(f"port must be between 1 and 65535, not {text}")
    if explicit_scheme and DEFAULT_PORTS[explicit_scheme] == port:
        raise InvalidOriginPatternError(
            f"port {port} is the default for {explicit_scheme}: remove ':{port}'"
        )
    if explicit_scheme is None and port in DEFAULT_PORTS.values():
        # Scheme-less means https (plus http on loopback): either default port is redundant
        # or, for :80 on a public host, a sign the user meant plain http.
        named = "http" if port == 80 else "https"
        hint = "remove it" if named in schemes else f"write '{named}://…' to allow {named}"
        raise InvalidOriginPatternError(f"port {port} is the default for {named}: {hint}")
    return port
