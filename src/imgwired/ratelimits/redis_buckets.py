"""Token buckets in Redis, shared by every process: one Lua script takes a token atomically.

Each bucket is a hash (``t``: tokens, ``u``: when they were counted) that expires once it would
be full again. The time comes from the caller, so processes must agree on the time to within a
fraction of a second (NTP does); a caller whose clock is behind refills nothing.

When Redis does not answer, requests are admitted and the failure logged (at most once a
minute): a rate limit protects the service, it must not be the thing that stops it.
"""

from __future__ import annotations

import logging
import time

import redis

from imgwired.ratelimits.buckets import Limit, Verdict, verdict

log = logging.getLogger("imgwired.ratelimits")

_LOG_EVERY_SECONDS = 60.0

# ``take_token`` of buckets.py, in Lua. Numbers go back as strings: Redis truncates Lua numbers
# to integers in replies.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
if now > updated then
  tokens = math.min(burst, tokens + (now - updated) * rate)
  updated = now
end
local admitted = 0
if tokens >= 1 then
  tokens = tokens - 1
  admitted = 1
end
local kept = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 't', kept, 'u', string.format('%.17g', updated))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {admitted, kept}
"""


class RedisBuckets:
    def __init__(self, client: redis.Redis, *, prefix: str) -> None:
        self._client = client
        self._take = self._client.register_script(_TAKE)
        self._prefix = prefix
        self._last_logged = -_LOG_EVERY_SECONDS

    def take(self, key: str, limit: Limit, now: float) -> Verdict:
        try:
            admitted, tokens = self._take(
                keys=[self._prefix + key], args=[limit.per_second, limit.burst, repr(now)]
            )
        except redis.RedisError as error:
            self._log_failure(error)
            return verdict(True, float(limit.burst), limit)
        return verdict(bool(admitted), float(tokens), limit)

    def _log_failure(self, error: redis.RedisError) -> None:
        moment = time.monotonic()
        if moment - self._last_logged >= _LOG_EVERY_SECONDS:
            self._last_logged = moment
            log.warning("Redis did not answer (%s); requests are admitted unlimited", error)

    def close(self) -> None:
        self._client.close()
