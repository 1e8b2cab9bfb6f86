"""A client's settings, resolved once from its arguments and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from imgwired import __version__
from imgwired.client._exceptions import ImgwireError
from imgwired.client._retry import RetryPolicy

DEFAULT_BASE_URL = "http://localhost:8000"
DEFAULT_TIMEOUT = 10.0
DEFAULT_USER_AGENT = f"imgwired-python/{__version__}"
API_KEY_VARIABLE = "IMGWIRED_API_KEY"
BASE_URL_VARIABLE = "IMGWIRED_BASE_URL"


@dataclass(frozen=True, slots=True)
class ClientOptions:
    api_key: str
    base_url: str
    environment_id: str | None
    timeout: httpx.Timeout
    retry: RetryPolicy
    user_agent: str

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        environment_id: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        backoff_factor: float,
        user_agent: str | None,
    ) -> ClientOptions:
        """Arguments first, then ``IMGWIRED_API_KEY`` / ``IMGWIRED_BASE_URL``, then defaults.

        Raises ``ImgwireError`` when no key is found or the base URL is not http(s).
        """
        key = api_key or os.environ.get(API_KEY_VARIABLE, "")
        if not key:
            raise ImgwireError(f"an API key is required: pass api_key= or set {API_KEY_VARIABLE}")
        url = (base_url or os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL).rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImgwireError(f"base_url must be an http(s) URL, not {url!r}")
        return cls(
            api_key=key,
            base_url=url,
            environment_id=str(environment_id) if environment_id else None,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            retry=RetryPolicy(max_retries=max_retries, backoff_factor=backoff_factor),
            user_agent=user_agent or DEFAULT_USER_AGENT,
        )

    def api_headers(self) -> dict[str, str]:
        """Headers of every API request; upload URLs get none of them (they carry a signature)."""
        headers = {"Authorization": f"Bearer {self.api_key}"}
        if self.environment_id:
            headers["X-Environment-Id"] = self.environment_id
        return headers
