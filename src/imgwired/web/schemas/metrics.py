"""Metrics shapes from the contract."""

from __future__ import annotations

from datetime import datetime

from imgwired.metrics.service import Datasets, Stat
from imgwired.web.schemas.base import ResponseSchema


class UploadsDatasetPointSchema(ResponseSchema):
    timestamp: datetime
    uploads: int


class TransformationsDatasetPointSchema(ResponseSchema):
    timestamp: datetime
    transformations: int


class RequestsDatasetPointSchema(ResponseSchema):
    timestamp: datetime
    requests: int


class TransferBytesDatasetPointSchema(ResponseSchema):
    timestamp: datetime
    transfer_bytes: int


class StorageBytesDatasetPointSchema(ResponseSchema):
    timestamp: datetime
    storage_bytes_current: int
    storage_bytes_added: int


class CacheHitRatioDatasetPointSchema(ResponseSchema):
    label: str
    value: int


class MetricsDatasetsSchema(ResponseSchema):
    uploads: list[UploadsDatasetPointSchema]
    transformations: list[TransformationsDatasetPointSchema]
    requests: list[RequestsDatasetPointSchema]
    transfer_bytes: list[TransferBytesDatasetPointSchema]
    cache_hit_ratio: list[CacheHitRatioDatasetPointSchema]
    storage_bytes: list[StorageBytesDatasetPointSchema]

    @classmethod
    def of(cls, datasets: Datasets) -> MetricsDatasetsSchema:
        points = datasets.points
        return cls(
            uploads=[
                UploadsDatasetPointSchema(timestamp=p.bucket.start, uploads=p.totals.uploads)
                for p in points
            ],
            transformations=[
                TransformationsDatasetPointSchema(
                    timestamp=p.bucket.start, transformations=p.totals.transformations
                )
                for p in points
            ],
            requests=[
                RequestsDatasetPointSchema(timestamp=p.bucket.start, requests=p.totals.requests)
                for p in points
            ],
            transfer_bytes=[
                TransferBytesDatasetPointSchema(
                    timestamp=p.bucket.start, transfer_bytes=p.totals.transfer_bytes
                )
                for p in points
            ],
            # The split of the whole range: served from stored bytes, or rendered.
            cache_hit_ratio=[
                CacheHitRatioDatasetPointSchema(label="hits", value=datasets.totals.cache_hits),
                CacheHitRatioDatasetPointSchema(label="misses", value=datasets.totals.cache_misses),
            ],
            storage_bytes=[
                StorageBytesDatasetPointSchema(
                    timestamp=p.bucket.start,
                    storage_bytes_current=p.storage_bytes_current,
                    storage_bytes_added=p.totals.storage_bytes_added,
                )
                for p in points
            ],
        )


class MetricsStatValueSchema(ResponseSchema):
    value: float
    prev: float
    pct_change: float | None

    @classmethod
    def of(cls, stat: Stat) -> MetricsStatValueSchema:
        return cls(value=stat.value, prev=stat.prev, pct_change=stat.pct_change)


class MetricsStatsSchema(ResponseSchema):
    uploads: MetricsStatValueSchema
    transformations: MetricsStatValueSchema
    requests: MetricsStatValueSchema
    transfer_bytes: MetricsStatValueSchema
    cache_hit_ratio: MetricsStatValueSchema
    storage_bytes: MetricsStatValueSchema

    @classmethod
    def of(cls, stats: dict[str, Stat]) -> MetricsStatsSchema:
        return cls(**{name: MetricsStatValueSchema.of(stat) for name, stat in stats.items()})
