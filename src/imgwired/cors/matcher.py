"""Matching a parsed Origin against many origin patterns at a cost independent of their number."""

from __future__ import annotations

from collections.abc import Iterable

from imgwired.cors.origins import DEFAULT_PORTS, Origin
from imgwired.cors.patterns import OriginPattern

__all__ = ["OriginMatcher"]

_Key = tuple[str, str, int]


class OriginMatcher:
    """Finds the pattern allowing an origin: exact beats wildcard, longer suffix beats shorter.

    When several patterns allow the same (scheme, host, port), the first one given wins.
    """

    __slots__ = ("_exact", "_wildcard")

    def __init__(self, patterns: Iterable[OriginPattern]) -> None:
        # Keys use the effective port so a lookup is one dict probe per candidate host.
        self._exact: dict[_Key, OriginPattern] = {}
        self._wildcard: dict[_Key, OriginPattern] = {}
        for pattern in patterns:
            table = self._wildcard if pattern.wildcard else self._exact
            for scheme in pattern.schemes:
                port = DEFAULT_PORTS[scheme] if pattern.port is None else pattern.port
                table.setdefault((scheme, pattern.host, port), pattern)

    @property
    def is_empty(self) -> bool:
        """True when no pattern was given, so no origin can ever match."""
        return not self._exact and not self._wildcard

    def match(self, origin: Origin) -> OriginPattern | None:
        """Return the pattern that allows ``origin``, or None if none does."""
        scheme, host, port = origin.scheme, origin.host, origin.port
        found = self._exact.get((scheme, host, port))
        if found is not None or not self._wildcard:
            return found
        # Only strictly shorter suffixes: '*.example.com' must never match 'example.com'.
        dot = host.find(".")
        while dot >= 0:
            suffix = host[dot + 1 :]
            found = self._wildcard.get((scheme, suffix, port))
            if found is not None:
                return found
            dot = host.find(".", dot + 1)
        return None
