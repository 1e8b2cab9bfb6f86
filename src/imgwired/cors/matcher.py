"""Matching a parsed Origin against many origin patterns at a cost independent of their number."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from imgwired.cors.origins import DEFAULT_PORTS, Origin
from imgwired.cors.patterns import OriginPattern

__all__ = ["OriginIndex", "OriginMatcher"]

_Key = tuple[str, str, int]
T = TypeVar("T")


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


class OriginIndex(Generic[T]):
    """Many allowlists in one index: which owners' patterns admit an origin, found with the
    same lookups as ``OriginMatcher`` whatever the number of owners or patterns.
    """

    __slots__ = ("_exact", "_wildcard")

    def __init__(self) -> None:
        self._exact: dict[_Key, list[T]] = {}
        self._wildcard: dict[_Key, list[T]] = {}

    def add(self, pattern: OriginPattern, owner: T) -> None:
        table = self._wildcard if pattern.wildcard else self._exact
        for scheme in pattern.schemes:
            port = DEFAULT_PORTS[scheme] if pattern.port is None else pattern.port
            owners = table.setdefault((scheme, pattern.host, port), [])
            if owner not in owners:
                owners.append(owner)

    def owners(self, origin: Origin) -> list[T]:
        """Every owner with a pattern admitting ``origin``, each once, exact matches first."""
        scheme, host, port = origin.scheme, origin.host, origin.port
        found = list(self._exact.get((scheme, host, port), ()))
        dot = host.find(".")
        while dot >= 0 and self._wildcard:
            for owner in self._wildcard.get((scheme, host[dot + 1 :], port), ()):
                if owner not in found:
                    found.append(owner)
            dot = host.find(".", dot + 1)
        return found
