"""DNS names as people type them, checked and turned into their stored ASCII form.

Used by CORS origin patterns (``host``) and custom domains (``hostname``): each catches
``DnsNameError`` and raises its own domain error with the same words.
"""

from __future__ import annotations

import idna

MAX_NAME = 253
MAX_LABEL = 63
_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class DnsNameError(ValueError):
    """Why a name is refused, in a sentence for the user."""


def normalise_dns_name(text: str, noun: str) -> str:
    """``text`` in lower-case ASCII (IDN to punycode, UTS 46 mapping), or ``DnsNameError``.

    ``noun`` names the thing in the messages ("host", "hostname").
    """
    if "" in text.split("."):
        raise DnsNameError(f"{noun} '{text[:80]}' has an empty label")
    if text.isascii():
        name = text.lower()
    else:
        try:
            # UTS 46 maps case and compatibility forms first: 'Bücher' and 'bücher' are one name.
            name = idna.encode(text, uts46=True, std3_rules=True).decode("ascii")
        except idna.IDNAError as exc:
            raise DnsNameError(
                f"'{text[:80]}' is not a valid internationalised domain name: {exc}"
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
        raise DnsNameError(f"'{text[:80]}' is not a valid domain name: {exc}") from None
    return name
