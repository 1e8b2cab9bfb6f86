"""``IMGWIRED_REDIS_URL``: optional, and refused at start unless it names Redis."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from imgwired.config import Settings


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://cache.internal:6380/2", "unix:///run/r.sock"]
)
def test_a_redis_url_is_accepted(url: str) -> None:
    assert Settings(redis_url=url).redis_url == url


def test_empty_means_no_redis() -> None:
    assert Settings(redis_url="").redis_url is None


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "127.0.0.1:6379", "redis:/x"])
def test_anything_else_is_refused_with_the_schemes_it_takes(url: str) -> None:
    with pytest.raises(ValidationError, match="must start with redis://, rediss:// or unix://"):
        Settings(redis_url=url)
