"""``parse_hostname()``: the one form a custom-domain hostname is stored, compared and served in.

A custom domain is a subdomain someone controls (``images.example.com``), never an apex: an apex
cannot carry a CNAME beside its SOA and NS records (RFC 1034 §3.6.2), and a CNAME is how the
domain is pointed at us. "Apex" follows the Public Suffix List, so ``example.co.uk`` is an apex
and ``images.example.co.uk`` is not. Every refusal says what is wrong, because the user sees it.

The whole input is mapped with UTS 46 before any check (``dns_names.map_dns_text``): ``①`` is
judged as ``1`` and ``。`` as a dot, so the stored form parses again to itself.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from imgwired.dns_names import (
    MAX_NAME,
    DnsNameError,
    ends_in_number,
    map_dns_text,
    normalise_dns_name,
)
from imgwired.errors import InvalidHostnameError

__all__ = ["MAX_HOSTNAME", "normalise_host_header", "parse_hostname"]

MAX_HOSTNAME = MAX_NAME
_MAX_INPUT = 1024
# Special-use names (RFC 6761, RFC 6762, RFC 7686, RFC 8375, ICANN's .internal) that public DNS
# never answers, so no certificate authority could validate them either.
_RESERVED_SUFFIXES = ("localhost", "local", "invalid", "onion", "internal", "home.arpa")


@lru_cache(maxsize=1)
def _public_suffix_list() -> PublicSuffixList:
    # Parsing the bundled list takes tens of milliseconds: do it on first use, once.
    return PublicSuffixList()


def parse_hostname(raw: str) -> str:
    """The lowercase, punycode, dot-less form of ``raw``, or InvalidHostnameError saying why."""
    if len(raw) > _MAX_INPUT:
        raise InvalidHostnameError(f"hostname is too long: at most {MAX_HOSTNAME} characters")
    text = raw.strip()
    # Invisible characters are refused as typed: the mapping would drop some of them silently.
    _refuse_invisible(text)
    # Mapping first, so that every check below judges the text that will be stored.
    text = _mapped(text)
    if not text:
        raise InvalidHostnameError(
            "hostname is empty: enter a subdomain such as 'images.example.com'"
        )
    _refuse_invisible(text)  # a compatibility character can map to a space ('¨' is ' ̈')
    _refuse_url_parts(text)
    if text.endswith("."):
        text = text[:-1]  # the fully qualified spelling of the same name
    if "*" in text:
        raise InvalidHostnameError(
            "hostname must not contain a wildcard: name one subdomain, such as 'images.example.com'"
        )
    if _is_ip_address(text):
        raise InvalidHostnameError(
            "hostname must be a domain name, not an IP address: point a subdomain at us instead"
        )
    name = _to_ascii(text)
    _check_subdomain(name)
    return name


def normalise_host_header(host: str) -> str | None:
    """The hostname a Host header (or an SNI name) names, without its port; None for IP literals.

    Cheap on purpose: it runs for every request. The result is compared with stored hostnames,
    so anything that is not already lowercase ASCII simply never matches.
    """
    if host.startswith("["):
        return None
    name = host.partition(":")[0].lower()
    return name[:-1] if name.endswith(".") else name


def _refuse_url_parts(text: str) -> None:
    scheme, sep, _ = text.partition("://")
    if sep:
        raise InvalidHostnameError(
            f"hostname must not contain a scheme: remove '{scheme}://' and give the name alone"
        )
    cut = min((i for i in (text.find(c) for c in "/?#") if i >= 0), default=-1)
    if cut >= 0:
        extra = text[cut:]
        kind = {"/": "a path", "?": "a query", "#": "a fragment"}[extra[0]]
        raise InvalidHostnameError(f"hostname must not contain {kind}: remove '{extra[:64]}'")
    if "@" in text:
        raise InvalidHostnameError(
            "hostname must not contain user info: remove the part before '@'"
        )
    if text.startswith("[") or text.count(":") > 1:
        raise InvalidHostnameError(
            "hostname must be a domain name, not an IP address: point a subdomain at us instead"
        )
    _, colon, port = text.partition(":")
    if colon:
        raise InvalidHostnameError(
            f"hostname must not contain a port: remove ':{port[:16]}' (TLS is served on 443)"
        )


def _refuse_invisible(text: str) -> None:
    for char in text:
        if char.isspace():
            raise InvalidHostnameError("hostname must not contain whitespace")
        if not char.isprintable():
            raise InvalidHostnameError(
                f"hostname contains an invisible or control character {char!r}"
            )


def _mapped(text: str) -> str:
    try:
        return map_dns_text(text, noun="hostname")
    except DnsNameError as exc:
        raise InvalidHostnameError(str(exc)) from None


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        # What a URL parser would read as IPv4 (a numeric last label, '0x1f') is not a name either.
        return ends_in_number(text)
    return True


def _to_ascii(text: str) -> str:
    try:
        return normalise_dns_name(text, noun="hostname")
    except DnsNameError as exc:
        raise InvalidHostnameError(str(exc)) from None


def _check_subdomain(name: str) -> None:
    for suffix in _RESERVED_SUFFIXES:
        if name == suffix or name.endswith("." + suffix):
            raise InvalidHostnameError(
                f"'{name}' is a special-use name ('.{suffix}') that public DNS never answers"
            )
    psl = _public_suffix_list()
    if psl.is_public(name):
        raise InvalidHostnameError(
            f"'{name}' is a public suffix, shared by unrelated owners: "
            f"use a subdomain of a domain you control, such as 'images.example.{name}'"
        )
    if psl.privatesuffix(name) == name:
        raise InvalidHostnameError(
            f"'{name}' is an apex domain, which cannot carry a CNAME record: "
            f"use a subdomain such as 'images.{name}'"
        )
