"""Chart buckets in a time zone: hours, local days, ISO weeks and months, DST included.

Usage is stored per UTC hour. A bucket is a half-open span of instants [start, end) whose
boundaries are local midnights (days, Mondays, firsts of the month) in the caller's zone, so a
day is 23 or 25 hours long across a DST change; hourly buckets are the UTC hours themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from imgwired.errors import InvalidInputError


class MetricsDatasetInterval(enum.StrEnum):
    """Represents a chart aggregation interval for metrics datasets."""

    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


# The span shown when the caller gives no date_start, and the most buckets one answer may hold.
DEFAULT_SPAN = {
    MetricsDatasetInterval.HOURLY: timedelta(hours=24),
    MetricsDatasetInterval.DAILY: timedelta(days=30),
    MetricsDatasetInterval.WEEKLY: timedelta(weeks=12),
    MetricsDatasetInterval.MONTHLY: timedelta(days=365),
}
MAX_BUCKETS = 2000

# The instants a question may name. Nothing is stored before 1970, and the margin before year
# 10000 leaves room for the widest zone offset and a month's bucket past the end.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Bucket:
    start: datetime  # aware, in the caller's zone
    end: datetime


@dataclass(frozen=True, slots=True)
class Period:
    """The instants [start, end) a question covers, in the caller's zone."""

    start: datetime
    end: datetime
    zone: tzinfo

    @property
    def previous(self) -> Period:
        """The period of equal length (in elapsed time) that ends where this one starts."""
        # Through UTC: arithmetic on two datetimes of one zone ignores a DST change between them.
        start, end = self.start.astimezone(UTC), self.end.astimezone(UTC)
        # Clamped at EARLIEST, where nothing was stored: the totals are the same, and a period
        # reaching back further than datetime can count never has to be computed.
        span = end - start
        previous_start = start - span if span < start - EARLIEST else EARLIEST
        return Period(previous_start.astimezone(self.zone), self.start, self.zone)


def zone_named(name: str) -> tzinfo:
    """The IANA zone called ``name`` (``UTC``, ``Europe/Paris``), or a 422 naming the problem."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise InvalidInputError(f"Unknown time zone {name[:64]!r}", loc=("query", "tz"))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"Unknown time zone {name!r}; use an IANA name such as UTC or Europe/Paris",
            loc=("query", "tz"),
        ) from None


def period_of(
    interval: MetricsDatasetInterval,
    zone: tzinfo,
    date_start: datetime | None,
    date_end: datetime | None,
    *,
    now: datetime | None = None,
) -> Period:
    """The period asked for; naive datetimes are read as wall-clock time in ``zone``.

    Dates before ``EARLIEST`` or from ``LATEST`` on are a 422 naming the parameter.
    """
    end = (
        _supported(_aware(date_end, zone), "date_end")
        if date_end
        else (now or datetime.now(UTC)).astimezone(zone)
    )
    start = (
        _supported(_aware(date_start, zone), "date_start")
        if date_start
        else end.astimezone(UTC) - DEFAULT_SPAN[interval]  # elapsed time, not wall-clock
    )
    if start >= end:
        raise InvalidInputError("date_start must be before date_end", loc=("query", "date_start"))
    return Period(start.astimezone(zone), end.astimezone(zone), zone)


def buckets(interval: MetricsDatasetInterval, period: Period) -> list[Bucket]:
    """The buckets that overlap ``period``, the first starting at or before its start."""
    found: list[Bucket] = []
    start = _floor(interval, period.start)
    while start < period.end:
        end = _next(interval, start)
        found.append(Bucket(start, end))
        if len(found) > MAX_BUCKETS:
            raise InvalidInputError(
                f"That range holds more than {MAX_BUCKETS} {interval.value.lower()} buckets; "
                "choose a shorter range or a longer interval",
                loc=("query", "date_start"),
            )
        start = end
    return found


def _supported(moment: datetime, name: str) -> datetime:
    # The year is checked first: converting year 1 or 9999 to UTC can overflow datetime itself.
    if not (
        EARLIEST.year <= moment.year < LATEST.year and EARLIEST <= moment.astimezone(UTC) < LATEST
    ):
        raise InvalidInputError(
            f"{name} must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)",
            loc=("query", name),
        )
    return moment


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _floor(interval: MetricsDatasetInterval, moment: datetime) -> datetime:
    zone = moment.tzinfo
    assert zone is not None
    if interval is MetricsDatasetInterval.HOURLY:
        return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0).astimezone(zone)
    day = moment.date()
    if interval is MetricsDatasetInterval.WEEKLY:
        day -= timedelta(days=day.weekday())
    elif interval is MetricsDatasetInterval.MONTHLY:
        day = day.replace(day=1)
    return _midnight(day, zone)


def _next(interval: MetricsDatasetInterval, start: datetime) -> datetime:
    zone = start.tzinfo
    assert zone is not None
    if interval is MetricsDatasetInterval.HOURLY:
        return (start.astimezone(UTC) + timedelta(hours=1)).astimezone(zone)
    day = start.date()
    if interval is MetricsDatasetInterval.DAILY:
        return _midnight(day + timedelta(days=1), zone)
    if interval is MetricsDatasetInterval.WEEKLY:
        return _midnight(day + timedelta(days=7), zone)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return _midnight(date(year, month, 1), zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The first instant of ``day`` in ``zone`` (normalised through UTC, so a midnight that a
    DST change skips becomes the first instant that exists)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC).astimezone(zone)
