"""``ImgwireClient`` and ``AsyncImgwireClient``: one connection pool, four resource groups."""

from __future__ import annotations

from types import TracebackType

import httpx

from imgwired.client._options import DEFAULT_TIMEOUT, ClientOptions
from imgwired.client._send import AsyncSender, SyncSender
from imgwired.client.cors_origins import AsyncCorsOrigins, CorsOrigins
from imgwired.client.custom_domain import AsyncCustomDomainResource, CustomDomainResource
from imgwired.client.images import AsyncImages, Images
from imgwired.client.metrics import AsyncMetrics, Metrics


class ImgwireClient:
    """A synchronous client of an imgwired (or Imgwire) server.

    ``api_key`` falls back to ``IMGWIRED_API_KEY`` and ``base_url`` to ``IMGWIRED_BASE_URL``,
    then ``http://localhost:8000``. ``environment_id`` is sent as ``X-Environment-Id`` (for the
    admin token). ``timeout`` is in seconds per connect, read, write and pool wait (``None``: no
    limit). ``transport`` replaces the network, e.g. with a test app. Failed requests are retried
    up to ``max_retries`` times when that is safe (see ``_retry.py``). Use it as a context
    manager, or call ``close()``.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        environment_id: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        backoff_factor: float = 0.25,
        transport: httpx.BaseTransport | None = None,
        user_agent: str | None = None,
    ) -> None:
        self._options = ClientOptions.resolve(
            api_key=api_key,
            base_url=base_url,
            environment_id=environment_id,
            timeout=timeout,
            max_retries=max_retries,
            backoff_factor=backoff_factor,
            user_agent=user_agent,
        )
        self._http = httpx.Client(
            base_url=self._options.base_url,
            timeout=self._options.timeout,
            headers={"User-Agent": self._options.user_agent},
            transport=transport,
        )
        sender = SyncSender(self._http, self._options)
        self.images = Images(sender)
        self.cors_origins = CorsOrigins(sender)
        self.custom_domain = CustomDomainResource(sender)
        self.metrics = Metrics(sender)

    @property
    def base_url(self) -> str:
        return self._options.base_url

    def close(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        self._http.close()

    def __enter__(self) -> ImgwireClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncImgwireClient:
    """``ImgwireClient`` for asyncio or trio: the same options and methods, awaited."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        environment_id: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        backoff_factor: float = 0.25,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str | None = None,
    ) -> None:
        self._options = ClientOptions.resolve(
            api_key=api_key,
            base_url=base_url,
            environment_id=environment_id,
            timeout=timeout,
            max_retries=max_retries,
            backoff_factor=backoff_factor,
            user_agent=user_agent,
        )
        self._http = httpx.AsyncClient(
            base_url=self._options.base_url,
            timeout=self._options.timeout,
            headers={"User-Agent": self._options.user_agent},
            transport=transport,
        )
        sender = AsyncSender(self._http, self._options)
        self.images = AsyncImages(sender)
        self.cors_origins = AsyncCorsOrigins(sender)
        self.custom_domain = AsyncCustomDomainResource(sender)
        self.metrics = AsyncMetrics(sender)

    @property
    def base_url(self) -> str:
        return self._options.base_url

    async def close(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncImgwireClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
