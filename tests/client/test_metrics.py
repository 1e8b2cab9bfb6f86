"""``client.metrics``: datasets and stats, parsed into models with the contract's shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from imgwired.client import MetricsDatasets, MetricsStats, MetricStat
from tests.client.conftest import Connect
from tests.conftest import Tenant
from tests.images.helpers import jpeg

SERIES = ("uploads", "transformations", "requests", "transfer_bytes", "storage_bytes")


def test_datasets_have_a_point_per_bucket(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)
    sdk.images.upload(jpeg(), file_name="a.jpg", wait=True)
    end = datetime.now(UTC)

    datasets = sdk.metrics.get_datasets(
        interval="DAILY", tz="UTC", date_start=end - timedelta(days=6), date_end=end
    )
    default = sdk.metrics.get_datasets()

    assert isinstance(datasets, MetricsDatasets)
    lengths = {len(getattr(datasets, name)) for name in SERIES}
    assert len(lengths) == 1 and lengths.pop() >= 7
    assert sum(point.uploads for point in datasets.uploads) == 1
    assert [point.label for point in datasets.cache_hit_ratio] == ["hits", "misses"]
    assert all(point.timestamp.tzinfo is not None for point in default.requests)


def test_stats_compare_with_the_period_before(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    stats = sdk.metrics.get_stats(interval="WEEKLY")

    assert isinstance(stats, MetricsStats)
    for name in (*SERIES, "cache_hit_ratio"):
        stat = getattr(stats, name)
        assert isinstance(stat, MetricStat)
        assert stat.value >= 0 and stat.prev >= 0
