"""``client.metrics``: usage datasets for charts, and stats against the previous period.

``interval`` is ``HOURLY`` (the server's default), ``DAILY``, ``WEEKLY`` or ``MONTHLY``; ``tz`` an
IANA zone (default ``UTC``); ``date_start`` / ``date_end`` a ``datetime`` or an ISO 8601 string
(without an offset, a wall-clock time in ``tz``). Left out, each takes the server's default.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from imgwired.client._calls import Call, model
from imgwired.client._send import AsyncSender, SyncSender
from imgwired.client.models import MetricsDatasets, MetricsStats

BASE = "/api/v1/metrics"

M = TypeVar("M", bound=BaseModel)
When = datetime | str | None


def _call(
    cls: type[M], path: str, interval: str | None, tz: str | None, start: When, end: When
) -> Call[M]:
    params = {
        "interval": interval,
        "tz": tz,
        "date_start": _iso(start),
        "date_end": _iso(end),
    }
    return Call("GET", f"{BASE}/{path}", model(cls), params=params)


def _iso(value: When) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


class Metrics:
    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def get_datasets(
        self,
        *,
        interval: str | None = None,
        tz: str | None = None,
        date_start: When = None,
        date_end: When = None,
    ) -> MetricsDatasets:
        """One point per bucket for each counter (``cache_hit_ratio``: hits and misses)."""
        call = _call(MetricsDatasets, "datasets", interval, tz, date_start, date_end)
        return self._sender.call(call)

    def get_stats(
        self,
        *,
        interval: str | None = None,
        tz: str | None = None,
        date_start: When = None,
        date_end: When = None,
    ) -> MetricsStats:
        """Each counter over the period, the period before, and the change in percent."""
        return self._sender.call(_call(MetricsStats, "stats", interval, tz, date_start, date_end))


class AsyncMetrics:
    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def get_datasets(
        self,
        *,
        interval: str | None = None,
        tz: str | None = None,
        date_start: When = None,
        date_end: When = None,
    ) -> MetricsDatasets:
        """One point per bucket for each counter (``cache_hit_ratio``: hits and misses)."""
        call = _call(MetricsDatasets, "datasets", interval, tz, date_start, date_end)
        return await self._sender.call(call)

    async def get_stats(
        self,
        *,
        interval: str | None = None,
        tz: str | None = None,
        date_start: When = None,
        date_end: When = None,
    ) -> MetricsStats:
        """Each counter over the period, the period before, and the change in percent."""
        call = _call(MetricsStats, "stats", interval, tz, date_start, date_end)
        return await self._sender.call(call)
