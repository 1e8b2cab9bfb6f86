"""Offset pagination as the contract defines it: ``page`` from 1, ``limit`` from 1 to 100."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if self.page < 1 or not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError("page must be >= 1 and limit between 1 and 100")

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
        return self.request.page + 1 if self.request.offset + len(self.items) < self.total else None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.total, self.request)
