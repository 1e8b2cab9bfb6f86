"""Usage metrics: storing what the recorder counted, and the contract's datasets and stats.

Deliveries are counted in memory (``services/usage.py``) and flushed here every few seconds and
at shutdown; uploads and deletions are counted in their own transactions. Reads flush this
process's counts first, so a caller sees its own traffic at once; other processes' traffic
appears after their next flush.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from imgwired.db.engine import Database
from imgwired.db.models import UsageHour
from imgwired.metrics.periods import Bucket, MetricsDatasetInterval, Period, buckets
from imgwired.metrics.repository import add_usage, hours_between, storage_before
from imgwired.metrics.usage import Counters, UsageRecorder

log = logging.getLogger("imgwired.metrics")

# How often each process stores what it counted (and once more when it stops).
METRICS_FLUSH_SECONDS = 10
SUMMED = ("uploads", "transformations", "requests", "transfer_bytes")


@dataclass(frozen=True, slots=True)
class Totals:
    uploads: int = 0
    transformations: int = 0
    requests: int = 0
    transfer_bytes: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    storage_bytes_added: int = 0
    storage_bytes_removed: int = 0

    @classmethod
    def of(cls, rows: list[UsageHour]) -> Totals:
        return cls(
            **{name: sum(getattr(row, name) for row in rows) for name in cls.__dataclass_fields__}
        )

    @property
    def cache_hit_percent(self) -> float:
        served = self.cache_hits + self.cache_misses
        return round(100 * self.cache_hits / served, 2) if served else 0.0


@dataclass(frozen=True, slots=True)
class Point:
    bucket: Bucket
    totals: Totals
    storage_bytes_current: int


@dataclass(frozen=True, slots=True)
class Datasets:
    points: list[Point]
    totals: Totals


@dataclass(frozen=True, slots=True)
class Stat:
    value: float
    prev: float

    @property
    def pct_change(self) -> float | None:
        if not self.prev:
            return None
        return round((self.value - self.prev) / self.prev * 100, 2)


class MetricsService:
    def __init__(self, database: Database, usage: UsageRecorder) -> None:
        self._db = database
        self._usage = usage
        self._flush_lock = threading.Lock()

    def flush(self) -> int:
        """Store the counts recorded in memory; returns how many hourly rows were added to.

        On failure the counts go back to the recorder, to be stored with the next flush.
        """
        with self._flush_lock:
            counts = self._usage.drain()
            if not counts:
                return 0
            try:
                with self._db.transaction() as session:
                    # One order for every process: two flushes never wait on each other in a cycle.
                    for (environment_id, hour), delta in sorted(counts.items(), key=_row_order):
                        add_usage(session, environment_id, hour, _as_columns(delta))
            except Exception:
                self._usage.restore(counts)
                raise
            return len(counts)

    def datasets(
        self, environment_id: uuid.UUID, interval: MetricsDatasetInterval, period: Period
    ) -> Datasets:
        self._flush_quietly()
        spans = buckets(interval, period)
        start, end = spans[0].start.astimezone(UTC), spans[-1].end.astimezone(UTC)
        with self._db.reading() as session:
            rows = hours_between(session, environment_id, start, end)
            stored = storage_before(session, environment_id, start)
        points = []
        index = 0
        for bucket in spans:
            inside = []
            while index < len(rows) and rows[index].hour < bucket.end:
                inside.append(rows[index])
                index += 1
            totals = Totals.of(inside)
            stored += totals.storage_bytes_added - totals.storage_bytes_removed
            points.append(Point(bucket, totals, stored))
        return Datasets(points, Totals.of(rows))

    def stats(self, environment_id: uuid.UUID, period: Period) -> dict[str, Stat]:
        self._flush_quietly()
        current, previous = (
            self._totals(environment_id, period),
            self._totals(environment_id, period.previous),
        )
        stats = {name: Stat(getattr(current, name), getattr(previous, name)) for name in SUMMED}
        stats["cache_hit_ratio"] = Stat(current.cache_hit_percent, previous.cache_hit_percent)
        with self._db.reading() as session:
            stored_now = storage_before(session, environment_id, _hour_ceiling(period.end))
            stored_before = storage_before(session, environment_id, _hour_ceiling(period.start))
        stats["storage_bytes"] = Stat(stored_now, stored_before)
        return stats

    def _totals(self, environment_id: uuid.UUID, period: Period) -> Totals:
        start = _hour_floor(period.start)
        with self._db.reading() as session:
            return Totals.of(hours_between(session, environment_id, start, period.end))

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except Exception:  # a read must not fail because storing counts did; they are kept
            log.exception("flushing usage counts failed")


def _row_order(item: tuple[tuple[uuid.UUID, datetime], Counters]) -> tuple[str, datetime]:
    (environment_id, hour), _ = item
    return str(environment_id), hour


def _as_columns(delta: Counters) -> dict[str, int]:
    return {
        "requests": delta.requests,
        "transformations": delta.transformations,
        "transfer_bytes": delta.transfer_bytes,
        "cache_hits": delta.cache_hits,
        "cache_misses": delta.cache_misses,
    }


def _hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _hour_ceiling(moment: datetime) -> datetime:
    """The first hour boundary at or after ``moment``: hours that began before it count."""
    floor = _hour_floor(moment)
    return floor if floor == moment else floor + timedelta(hours=1)
