"""One API operation as data: the request to send and how to read a successful answer.

Resources describe an operation once as a ``Call``; the sync and async senders run it. That keeps
paths, bodies and parsing in one place for both clients.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from imgwired.client.pagination import Page, page_from_response

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

Params = Mapping[str, str | int | None]


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Params | None = None
    json: Any = None
    # The server answers a repeat with the first result, so the call may be retried like a GET.
    has_idempotency_key: bool = False

    def query(self) -> dict[str, str | int] | None:
        """The query parameters that were given (``None`` values left out)."""
        if not self.params:
            return None
        return {name: value for name, value in self.params.items() if value is not None}


def segment(value: object) -> str:
    """A path segment from an id: percent-encoded, so ``../`` cannot leave the resource."""
    return quote(str(value), safe="")


def model(cls: type[M]) -> Callable[[httpx.Response], M]:
    def parse(response: httpx.Response) -> M:
        return cls.model_validate(response.json())

    return parse


def page_of(cls: type[M], asked_page: int | None) -> Callable[[httpx.Response], Page[M]]:
    def parse(response: httpx.Response) -> Page[M]:
        return page_from_response(response, cls.model_validate, asked_page)

    return parse


def strings(response: httpx.Response) -> dict[str, str]:
    """A status document such as ``{"id": "…", "status": "deleted"}``."""
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError(f"expected a JSON object from {response.request.url}")
    return {str(key): str(value) for key, value in body.items()}
