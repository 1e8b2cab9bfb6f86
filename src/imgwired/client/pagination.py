"""Pages of a list, read from the contract's headers, and iteration over all of them.

A list answer is a bare JSON array; ``X-Total-Count``, ``X-Page``, ``X-Limit``, ``X-Prev-Page``
and ``X-Next-Page`` (the string ``null`` when there is none) say where it sits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page: its items (iterate the page itself, or read ``items``) and its neighbours."""

    items: list[T]
    total: int
    page: int
    limit: int
    next_page: int | None
    prev_page: int | None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_next(self) -> bool:
        return self.next_page is not None


def page_from_response(
    response: httpx.Response, parse_item: Callable[[Any], T], asked_page: int | None
) -> Page[T]:
    """The page a list response holds; missing headers fall back to what the body shows."""
    body = response.json()
    if not isinstance(body, list):
        raise ValueError(f"expected a JSON array from {response.request.url}")
    items = [parse_item(item) for item in body]
    headers = response.headers
    total, page, limit = (_number(headers.get(h)) for h in ("X-Total-Count", "X-Page", "X-Limit"))
    return Page(
        items=items,
        total=len(items) if total is None else total,
        page=(asked_page or 1) if page is None else page,
        limit=len(items) if limit is None else limit,
        next_page=_number(headers.get("X-Next-Page")),
        prev_page=_number(headers.get("X-Prev-Page")),
    )


def iterate_pages(fetch: Callable[[int], Page[T]], first: int) -> Iterator[Page[T]]:
    """Pages from ``first`` until one has no next page (or, defensively, no items)."""
    number: int | None = first
    while number is not None:
        page = fetch(number)
        yield page
        number = page.next_page if page.items else None


async def aiterate_pages(
    fetch: Callable[[int], Awaitable[Page[T]]], first: int
) -> AsyncIterator[Page[T]]:
    """``iterate_pages`` for the async client."""
    number: int | None = first
    while number is not None:
        page = await fetch(number)
        yield page
        number = page.next_page if page.items else None


def _number(value: str | None) -> int | None:
    """A header's integer; ``None`` when absent, ``null`` or not a number."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
