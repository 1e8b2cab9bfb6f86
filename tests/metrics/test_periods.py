"""Chart buckets across DST changes, in zones that have them and zones that do not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from imgwired.errors import InvalidInputError
from imgwired.metrics.periods import (
    MetricsDatasetInterval,
    buckets,
    period_of,
    zone_named,
)

PARIS = zone_named("Europe/Paris")
DAILY = MetricsDatasetInterval.DAILY
HOURLY = MetricsDatasetInterval.HOURLY


def hours(bucket_start: datetime, bucket_end: datetime) -> float:
    # Through UTC: Python ignores the offsets when both datetimes share one zone.
    return (bucket_end.astimezone(UTC) - bucket_start.astimezone(UTC)).total_seconds() / 3600


def test_days_are_23_and_25_hours_long_across_dst_changes() -> None:
    spring = period_of(DAILY, PARIS, datetime(2026, 3, 28), datetime(2026, 3, 31))
    assert [hours(b.start, b.end) for b in buckets(DAILY, spring)] == [24, 23, 24]
    autumn = period_of(DAILY, PARIS, datetime(2026, 10, 24), datetime(2026, 10, 27))
    found = buckets(DAILY, autumn)
    assert [hours(b.start, b.end) for b in found] == [24, 25, 24]
    assert [b.start.isoformat() for b in found] == [
        "2026-10-24T00:00:00+02:00",
        "2026-10-25T00:00:00+02:00",
        "2026-10-26T00:00:00+01:00",
    ]


def test_the_repeated_hour_is_two_buckets() -> None:
    period = period_of(HOURLY, PARIS, datetime(2026, 10, 25), datetime(2026, 10, 26))
    found = buckets(HOURLY, period)
    assert len(found) == 25
    labels = [b.start.isoformat() for b in found]
    assert "2026-10-25T02:00:00+02:00" in labels and "2026-10-25T02:00:00+01:00" in labels


@pytest.mark.parametrize(
    ("interval", "start", "end", "first", "count"),
    [
        (
            MetricsDatasetInterval.WEEKLY,
            datetime(2026, 3, 25),
            datetime(2026, 4, 8),
            "2026-03-23",
            3,
        ),
        (
            MetricsDatasetInterval.MONTHLY,
            datetime(2026, 1, 15),
            datetime(2026, 4, 1),
            "2026-01-01",
            3,
        ),
        (
            MetricsDatasetInterval.MONTHLY,
            datetime(2025, 12, 2),
            datetime(2026, 1, 2),
            "2025-12-01",
            2,
        ),
    ],
)
def test_weeks_start_on_monday_and_months_on_the_first(
    interval: MetricsDatasetInterval, start: datetime, end: datetime, first: str, count: int
) -> None:
    found = buckets(interval, period_of(interval, PARIS, start, end))
    assert found[0].start.date().isoformat() == first
    assert len(found) == count
    assert all(b.start.hour == 0 and b.start.minute == 0 for b in found)


def test_a_zone_with_a_half_hour_offset_keeps_utc_hours() -> None:
    kolkata = zone_named("Asia/Kolkata")
    period = period_of(HOURLY, kolkata, datetime(2026, 1, 1, 10), datetime(2026, 1, 1, 12))
    found = buckets(HOURLY, period)
    assert found[0].start.astimezone(UTC).minute == 0
    assert found[0].start.isoformat() == "2026-01-01T09:30:00+05:30"


def test_defaults_and_refusals() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    period = period_of(HOURLY, zone_named("UTC"), None, None, now=now)
    assert period.end == now and (period.end - period.start).total_seconds() == 24 * 3600
    paris_day = period_of(DAILY, PARIS, datetime(2026, 10, 25), datetime(2026, 10, 26))
    assert hours(paris_day.previous.start, paris_day.previous.end) == 25
    assert period.previous.end == period.start
    with pytest.raises(InvalidInputError, match="before"):
        period_of(DAILY, PARIS, datetime(2026, 1, 2), datetime(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="buckets"):
        buckets(HOURLY, period_of(HOURLY, PARIS, datetime(2020, 1, 1), datetime(2026, 1, 1)))
    for name in ("Mars/Olympus", "", "../etc/passwd", "/etc/localtime", "x" * 100):
        with pytest.raises(InvalidInputError, match="time zone"):
            zone_named(name)


@pytest.mark.parametrize(
    ("date_start", "date_end", "where"),
    [
        (datetime(36, 2, 10, 14, tzinfo=UTC), None, "date_start"),
        (datetime(1, 1, 1), datetime(2026, 1, 1), "date_start"),
        (datetime(1969, 12, 31, 23, 59, tzinfo=UTC), None, "date_start"),
        (datetime(2026, 1, 1), datetime(9999, 12, 31, 23), "date_end"),
        (datetime(2026, 1, 1), datetime(9999, 1, 1, tzinfo=UTC), "date_end"),
    ],
)
def test_dates_outside_the_supported_range_are_refused(
    date_start: datetime, date_end: datetime | None, where: str
) -> None:
    zone = zone_named("Pacific/Kiritimati")  # +14:00, the widest offset there is
    for interval in MetricsDatasetInterval:
        with pytest.raises(InvalidInputError) as refused:
            period_of(interval, zone, date_start, date_end)
        assert refused.value.loc == ("query", where)


def test_the_widest_supported_range_has_buckets_and_a_previous_period() -> None:
    zone = zone_named("Pacific/Kiritimati")
    period = period_of(
        MetricsDatasetInterval.MONTHLY,
        zone,
        datetime(1970, 1, 1, 14),  # local wall clock: 1970-01-01T00:00Z
        datetime(9998, 12, 31, 23, 59),
    )
    assert period.previous.start == datetime(1970, 1, 1, tzinfo=UTC)  # nothing is stored earlier
    assert period.previous.end == period.start
    last = period_of(
        MetricsDatasetInterval.MONTHLY, zone, datetime(9998, 12, 1), datetime(9998, 12, 31, 23)
    )
    assert len(buckets(MetricsDatasetInterval.MONTHLY, last)) == 1
