"""``client.cors_origins``: the environment's allowlist of browser origin patterns.

The contract's five operations: list, create, retrieve, update (``PATCH``) and delete. Patterns
are normalised by the server (``APP.Example.com`` is stored as ``app.example.com``); a duplicate
is a ``ConflictError``, a malformed pattern an ``UnprocessableEntityError`` naming the problem.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

from imgwired.client._calls import Call, model, page_of, segment, strings
from imgwired.client._send import AsyncSender, SyncSender
from imgwired.client.models import CorsOrigin
from imgwired.client.pagination import Page, aiterate_pages, iterate_pages

BASE = "/api/v1/cors_origins"

OriginId = uuid.UUID | str


def _list(page: int | None, limit: int | None) -> Call[Page[CorsOrigin]]:
    return Call("GET", f"{BASE}/", page_of(CorsOrigin, page), params={"page": page, "limit": limit})


def _create(pattern: str) -> Call[CorsOrigin]:
    return Call("POST", f"{BASE}/", model(CorsOrigin), json={"pattern": pattern})


def _retrieve(origin_id: OriginId) -> Call[CorsOrigin]:
    return Call("GET", f"{BASE}/{segment(origin_id)}", model(CorsOrigin))


def _update(origin_id: OriginId, pattern: str) -> Call[CorsOrigin]:
    return Call(
        "PATCH", f"{BASE}/{segment(origin_id)}", model(CorsOrigin), json={"pattern": pattern}
    )


def _delete(origin_id: OriginId) -> Call[dict[str, str]]:
    return Call("DELETE", f"{BASE}/{segment(origin_id)}", strings)


class CorsOrigins:
    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def list(self, page: int | None = None, limit: int | None = None) -> Page[CorsOrigin]:
        return self._sender.call(_list(page, limit))

    def list_pages(self, page: int = 1, limit: int | None = None) -> Iterator[Page[CorsOrigin]]:
        return iterate_pages(lambda number: self.list(number, limit), page)

    def list_all(self, page: int = 1, limit: int | None = None) -> Iterator[CorsOrigin]:
        for each in self.list_pages(page, limit):
            yield from each.items

    def create(self, pattern: str) -> CorsOrigin:
        return self._sender.call(_create(pattern))

    def retrieve(self, cors_origin_id: OriginId) -> CorsOrigin:
        return self._sender.call(_retrieve(cors_origin_id))

    def update(self, cors_origin_id: OriginId, *, pattern: str) -> CorsOrigin:
        return self._sender.call(_update(cors_origin_id, pattern))

    def delete(self, cors_origin_id: OriginId) -> dict[str, str]:
        return self._sender.call(_delete(cors_origin_id))


class AsyncCorsOrigins:
    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def list(self, page: int | None = None, limit: int | None = None) -> Page[CorsOrigin]:
        return await self._sender.call(_list(page, limit))

    def list_pages(
        self, page: int = 1, limit: int | None = None
    ) -> AsyncIterator[Page[CorsOrigin]]:
        return aiterate_pages(lambda number: self.list(number, limit), page)

    async def list_all(self, page: int = 1, limit: int | None = None) -> AsyncIterator[CorsOrigin]:
        async for each in self.list_pages(page, limit):
            for origin in each.items:
                yield origin

    async def create(self, pattern: str) -> CorsOrigin:
        return await self._sender.call(_create(pattern))

    async def retrieve(self, cors_origin_id: OriginId) -> CorsOrigin:
        return await self._sender.call(_retrieve(cors_origin_id))

    async def update(self, cors_origin_id: OriginId, *, pattern: str) -> CorsOrigin:
        return await self._sender.call(_update(cors_origin_id, pattern))

    async def delete(self, cors_origin_id: OriginId) -> dict[str, str]:
        return await self._sender.call(_delete(cors_origin_id))
