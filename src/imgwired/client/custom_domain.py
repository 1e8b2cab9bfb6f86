"""``client.custom_domain``: the environment's one custom delivery domain and its DNS check.

``create`` answers the CNAME records to publish; ``test_connection`` asks the server to check
them now and answers the domain with its new ``status``. Without a domain, ``retrieve``,
``delete`` and ``test_connection`` raise ``NotFoundError``.
"""

from __future__ import annotations

from imgwired.client._calls import Call, model, strings
from imgwired.client._send import AsyncSender, SyncSender
from imgwired.client.models import CustomDomain

BASE = "/api/v1/custom_domain"

_RETRIEVE: Call[CustomDomain] = Call("GET", f"{BASE}/", model(CustomDomain))
_DELETE: Call[dict[str, str]] = Call("DELETE", f"{BASE}/", strings)
_TEST: Call[CustomDomain] = Call("POST", f"{BASE}/test_connection", model(CustomDomain))


def _create(hostname: str) -> Call[CustomDomain]:
    return Call("POST", f"{BASE}/", model(CustomDomain), json={"hostname": hostname})


class CustomDomainResource:
    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def retrieve(self) -> CustomDomain:
        return self._sender.call(_RETRIEVE)

    def create(self, hostname: str) -> CustomDomain:
        return self._sender.call(_create(hostname))

    def delete(self) -> dict[str, str]:
        return self._sender.call(_DELETE)

    def test_connection(self) -> CustomDomain:
        return self._sender.call(_TEST)


class AsyncCustomDomainResource:
    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def retrieve(self) -> CustomDomain:
        return await self._sender.call(_RETRIEVE)

    async def create(self, hostname: str) -> CustomDomain:
        return await self._sender.call(_create(hostname))

    async def delete(self) -> dict[str, str]:
        return await self._sender.call(_DELETE)

    async def test_connection(self) -> CustomDomain:
        return await self._sender.call(_TEST)
