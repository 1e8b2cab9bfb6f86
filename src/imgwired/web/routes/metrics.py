"""``/api/v1/metrics``: usage datasets for charts and stats against the previous period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from imgwired.accounts.auth import Access, Caller
from imgwired.metrics.periods import MetricsDatasetInterval, Period, period_of, zone_named
from imgwired.web.deps import ServicesDep, auth_errors, require
from imgwired.web.schemas.metrics import MetricsDatasetsSchema, MetricsStatsSchema

router = APIRouter(prefix="/api/v1/metrics", tags=["Metrics"], responses=auth_errors(Access.SERVER))
Server = Annotated[Caller, Depends(require(Access.SERVER))]


def _period(
    date_end: Annotated[datetime | None, Query(title="Date End")] = None,
    date_start: Annotated[datetime | None, Query(title="Date Start")] = None,
    interval: MetricsDatasetInterval = MetricsDatasetInterval.HOURLY,
    tz: Annotated[str, Query(title="Tz")] = "UTC",
) -> tuple[MetricsDatasetInterval, Period]:
    return interval, period_of(interval, zone_named(tz), date_start, date_end)


Asked = Annotated[tuple[MetricsDatasetInterval, Period], Depends(_period)]


@router.get("/datasets", operation_id="Metrics_getDatasets", summary="Get Datasets")
def get_datasets(caller: Server, services: ServicesDep, asked: Asked) -> MetricsDatasetsSchema:
    interval, period = asked
    return MetricsDatasetsSchema.of(
        services.metrics.datasets(caller.environment(), interval, period)
    )


@router.get("/stats", operation_id="Metrics_getStats", summary="Get Stats")
def get_stats(caller: Server, services: ServicesDep, asked: Asked) -> MetricsStatsSchema:
    _, period = asked
    return MetricsStatsSchema.of(services.metrics.stats(caller.environment(), period))
