"""Delivery usage counted in memory, per environment and hour, for the metrics to store in bulk.

A request must not cost a database row, so each CDN response adds to counters here; the metrics
service drains them into hourly rows on a timer and at shutdown. Draining hands over what was
counted so far and starts afresh, and rows are added to with an upsert, so several processes
simply add their shares. (Uploads and deletions are rare and are counted in the transaction that
records them instead.)
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, fields
from datetime import UTC, datetime


@dataclass(slots=True)
class Counters:
    requests: int = 0
    transformations: int = 0
    transfer_bytes: int = 0
    cache_hits: int = 0
    cache_misses: int = 0

    def add(self, other: Counters) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


UsageKey = tuple[uuid.UUID, datetime]


def hour_of(moment: datetime) -> datetime:
    """The start of the UTC hour that holds ``moment``."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class UsageRecorder:
    """Thread-safe counters keyed by (environment, UTC hour)."""

    def __init__(self) -> None:
        self._counts: dict[UsageKey, Counters] = {}
        self._lock = threading.Lock()

    def record_delivery(
        self,
        environment_id: uuid.UUID,
        *,
        bytes_sent: int,
        cache_hit: bool,
        transformed: bool,
        at: datetime | None = None,
    ) -> None:
        """One CDN response: ``cache_hit`` when stored bytes answered it without a render."""
        delta = Counters(
            requests=1,
            transformations=int(transformed),
            transfer_bytes=bytes_sent,
            cache_hits=int(cache_hit),
            cache_misses=int(not cache_hit),
        )
        self._add(environment_id, delta, at)

    def drain(self) -> dict[UsageKey, Counters]:
        """Everything counted since the last drain; the caller now owns storing it."""
        with self._lock:
            counts, self._counts = self._counts, {}
        return counts

    def restore(self, counts: dict[UsageKey, Counters]) -> None:
        """Put drained counts back (storing them failed), to be stored with the next drain."""
        with self._lock:
            for key, delta in counts.items():
                self._counts.setdefault(key, Counters()).add(delta)

    def _add(self, environment_id: uuid.UUID, delta: Counters, at: datetime | None) -> None:
        key = (environment_id, hour_of(at or datetime.now(UTC)))
        with self._lock:
            self._counts.setdefault(key, Counters()).add(delta)
