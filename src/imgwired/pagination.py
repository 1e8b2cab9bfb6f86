"""Offset pagination as the contract defines it: ``page`` from 1, ``limit`` from 1 to 100.

``page`` is bounded too, at ``MAX_PAGE``: the largest integer a JavaScript number holds
exactly, so every page number survives the browser SDK, and small enough that the offset
``(page - 1) * limit`` always fits the signed 64-bit integer both databases take.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_PAGE = 2**53 - 1


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if not 1 <= self.page <= MAX_PAGE or not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(
                f"page must be between 1 and {MAX_PAGE} and limit between 1 and {MAX_LIMIT}"
            )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    request: PageRequest

    @property
    def prev_page(self) -> int | None:
        return self.request.page - 1 if self.request.page > 1 else None

    @property
    def next_page(self) -> int | None:
        page = self.request.page
        more = self.request.offset + len(self.items) < self.total
        # Never point past the bound: a next page the server would refuse is no next page.
        return page + 1 if more and page < MAX_PAGE else None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.total, self.request)
