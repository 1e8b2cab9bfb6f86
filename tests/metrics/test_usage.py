"""Usage counters: per environment and UTC hour, drained whole, restorable."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

from imgwired.metrics.usage import Counters, UsageRecorder, hour_of


def test_counts_are_grouped_by_environment_and_utc_hour() -> None:
    recorder = UsageRecorder()
    first, second = uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 3, 29, 1, 59, 59, tzinfo=UTC)
    recorder.record_delivery(first, bytes_sent=100, cache_hit=False, transformed=True, at=at)
    recorder.record_delivery(first, bytes_sent=50, cache_hit=True, transformed=False, at=at)
    recorder.record_delivery(
        first, bytes_sent=7, cache_hit=True, transformed=False, at=at + timedelta(seconds=1)
    )
    recorder.record_delivery(second, bytes_sent=1000, cache_hit=True, transformed=False, at=at)
    counts = recorder.drain()
    hour = datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert counts[(first, hour)] == Counters(
        requests=2, transformations=1, transfer_bytes=150, cache_hits=1, cache_misses=1
    )
    assert counts[(first, hour + timedelta(hours=1))].transfer_bytes == 7
    assert counts[(second, hour)] == Counters(requests=1, transfer_bytes=1000, cache_hits=1)
    assert recorder.drain() == {}


def test_hours_are_utc_whatever_the_zone_of_the_moment() -> None:
    local = datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2)))
    assert hour_of(local) == datetime(2026, 3, 29, 1, tzinfo=UTC)


def test_restored_counts_add_to_new_ones() -> None:
    recorder = UsageRecorder()
    environment = uuid.uuid4()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    recorder.record_delivery(environment, bytes_sent=10, cache_hit=False, transformed=True, at=at)
    drained = recorder.drain()
    recorder.record_delivery(environment, bytes_sent=5, cache_hit=True, transformed=False, at=at)
    recorder.restore(drained)
    assert recorder.drain()[(environment, at)] == Counters(
        requests=2, transformations=1, transfer_bytes=15, cache_hits=1, cache_misses=1
    )


def test_concurrent_recording_loses_nothing() -> None:
    recorder = UsageRecorder()
    environment = uuid.uuid4()
    at = datetime(2026, 1, 1, tzinfo=UTC)

    def record() -> None:
        for _ in range(2000):
            recorder.record_delivery(
                environment, bytes_sent=1, cache_hit=True, transformed=False, at=at
            )

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert recorder.drain()[(environment, at)].requests == 8000
