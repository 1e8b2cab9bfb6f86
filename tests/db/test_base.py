"""Column types and ids shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from imgwired.db.base import UTCDateTime, uuid7


def test_uuid7_is_version_7_and_ordered_by_creation() -> None:
    ids = [uuid7() for _ in range(2000)]
    assert all(value.version == 7 for value in ids)
    assert ids == sorted(ids)
    assert sorted(str(v) for v in ids) == [str(v) for v in ids]
    assert len(set(ids)) == len(ids)


def test_timestamps_are_stored_in_utc_and_read_back_aware() -> None:
    column = UTCDateTime()
    plus_two = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    stored = column.process_bind_param(plus_two, dialect=None)  # type: ignore[arg-type]
    assert stored == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    naive_from_sqlite = datetime(2026, 1, 1, 10, 0)
    read = column.process_result_value(naive_from_sqlite, dialect=None)  # type: ignore[arg-type]
    assert read is not None and read.tzinfo is UTC


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), dialect=None)  # type: ignore[arg-type]
