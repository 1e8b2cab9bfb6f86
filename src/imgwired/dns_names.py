"""DNS names as people type them, mapped, checked and turned into their stored ASCII form.

Used by CORS origin patterns (``host``) and custom domains (``hostname``): each catches
``DnsNameError`` and raises its own domain error with the same words.

The order is the promise: the UTS 46 mapping comes first (``map_dns_text``), and every check
runs on what it produced. A check made before the mapping would judge text that is not what gets
stored: ``app.①`` looks like a name, but maps to ``app.1``, which a URL parser reads as an IPv4
address. Run in this order, a stored form parses again to itself.
"""

from __future__ import annotations

import idna

MAX_NAME = 253
MAX_LABEL = 63
_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_SHOWN = 80


class DnsNameError(ValueError):
    """Why a name is refused, in a sentence for the user."""


def shown(text: str, limit: int = _SHOWN) -> str:
    """``text`` cut to ``limit`` characters and safe to put in a JSON body.

    A JSON request can carry lone surrogates, which no UTF-8 response can; they are escaped.
    """
    return text[:limit].encode("utf-8", "backslashreplace").decode("utf-8")


def map_dns_text(text: str, noun: str) -> str:
    """``text`` after the UTS 46 mapping (non-transitional), or ``DnsNameError``.

    The mapping case-folds and replaces compatibility forms with what they stand for (fullwidth
    letters, digits and dots, ``①``, ``。``), drops ignorable characters and applies NFC. It is
    idempotent, and ASCII is only lowercased. STD3 rules are off here, so ``:``, ``/``, ``*``
    and ``[`` survive for the caller's grammar to judge; labels get the LDH rule afterwards in
    ``normalise_dns_name``.
    """
    if text.isascii():
        return text.lower()
    try:
        return idna.uts46_remap(text, std3_rules=False, transitional=False)
    except idna.IDNAError as exc:
        raise DnsNameError(
            f"{noun} '{shown(text)}' is not a valid internationalised domain name: {exc}"
        ) from None


def normalise_dns_name(text: str, noun: str) -> str:
    """``text`` in lower-case ASCII (UTS 46 mapping, then IDNA 2008 to punycode), or
    ``DnsNameError``.

    ``noun`` names the thing in the messages ("host", "hostname"). The result is a fixed point:
    ``normalise_dns_name(result) == result``.
    """
    name = map_dns_text(text, noun)
    if "" in name.split("."):
        raise DnsNameError(f"{noun} '{shown(name)}' has an empty label")
    if not name.isascii():
        try:
            # Already mapped, so only the IDNA 2008 label rules (and punycode) remain.
            name = idna.encode(name, uts46=False).decode("ascii")
        except idna.IDNAError as exc:
            raise DnsNameError(
                f"{noun} '{shown(text)}' is not a valid internationalised domain name: {exc}"
            ) from None
    if len(name) > MAX_NAME:
        raise DnsNameError(
            f"{noun} is too long: {len(name)} characters, at most {MAX_NAME} allowed"
        )
    for label in name.split("."):
        if len(label) > MAX_LABEL:
            raise DnsNameError(
                f"label '{label[:20]}…' is too long: {len(label)} characters, "
                f"at most {MAX_LABEL} allowed"
            )
        bad = next((c for c in label if c not in _LDH), None)
        if bad is not None:
            raise DnsNameError(
                f"{noun} contains an invalid character {bad!r}: "
                "labels are letters, digits and hyphens"
            )
        if label.startswith("-") or label.endswith("-"):
            raise DnsNameError(f"label '{label}' must not start or end with a hyphen")
    try:
        # Validates punycode ('xn--') labels and the IDNA 2008 hyphen rules.
        idna.encode(name)
    except idna.IDNAError as exc:
        raise DnsNameError(f"'{shown(text)}' is not a valid domain name: {exc}") from None
    return name


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def ends_in_number(host: str) -> bool:
    """Tell whether the URL standard would parse ``host`` as an IPv4 address, not a name."""
    last = host.rpartition(".")[2]
    if last.isascii() and last.isdigit():
        return True
    return last[:2] in ("0x", "0X") and all(c in _HEX_DIGITS for c in last[2:])
