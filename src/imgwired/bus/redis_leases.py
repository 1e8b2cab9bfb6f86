"""``RedisLeases``: a rendition's render lease as a Redis key (``SET NX PX``), held by a token.

Only the holder's token deletes the key (a script compares, then deletes), so a holder whose
lease already lapsed and went to another process cannot end that process's lease.
"""

from __future__ import annotations

import logging
import uuid

import redis

log = logging.getLogger("imgwired.renders")

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLeases:
    # A waiting render looks for the finished rendition this often.
    poll_seconds = 0.05

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._release = client.register_script(_RELEASE)

    def take(self, key: str, seconds: float) -> str | None:
        """A token if this process may render ``key`` now, None if another holds the lease.

        Redis unreachable: a token anyway. Coalescing saves work; it must not stop delivery.
        """
        token = uuid.uuid4().hex
        try:
            taken = self._client.set(_name(key), token, nx=True, px=max(1, int(seconds * 1000)))
        except redis.RedisError as exc:
            log.warning("render lease unavailable (%s); rendering without it", exc)
            return token
        return token if taken else None

    def release(self, key: str, token: str) -> None:
        try:
            self._release(keys=[_name(key)], args=[token])
        except redis.RedisError as exc:  # the key lapses by itself
            log.warning("could not release render lease %s (%s)", key, exc)


def _name(key: str) -> str:
    return f"imgwired:render:{key}"
