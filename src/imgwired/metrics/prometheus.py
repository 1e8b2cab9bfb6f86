"""Operator metrics in the Prometheus text format: usage per environment, images, the job
queue, and this process's render lanes.

Everything read from the database is the same whichever process answers; the render lanes are
the answering process's own (they live in its memory), so they carry its ``pid``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from imgwired.cors.runtime import CorsRuntime
from imgwired.custom_domains.connected import ConnectedDomains
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import JobStatus
from imgwired.delivery.scheduler import LaneLoad
from imgwired.metrics import repository as repo
from imgwired.metrics.repository import COUNTERS
from imgwired.metrics.service import MetricsService

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_HELP = {
    "uploads": "Uploads whose bytes were stored",
    "transformations": "Renditions rendered at delivery",
    "requests": "CDN requests answered",
    "transfer_bytes": "Body bytes sent by the CDN",
    "cache_hits": "CDN requests answered from stored bytes",
    "cache_misses": "CDN requests that needed a render",
    "storage_bytes_added": "Bytes of originals stored",
    "storage_bytes_removed": "Bytes of originals deleted",
}


class PrometheusExporter:
    def __init__(
        self,
        database: Database,
        metrics: MetricsService,
        *,
        cors: CorsRuntime | None = None,
        custom_domains: ConnectedDomains | None = None,
        render_load: Callable[[], Mapping[str, LaneLoad]] | None = None,
    ) -> None:
        self._db = database
        self._metrics = metrics
        self._cors = cors
        self._custom_domains = custom_domains
        self._render_load = render_load

    def render(self) -> str:
        """Every figure, computed now from the database (after storing this process's counts)."""
        self._metrics.flush()
        lines: list[str] = []
        now = utcnow()
        with self._db.reading() as session:
            names = repo.environment_names(session)
            usage = repo.usage_totals(session)
            images = repo.live_images_by_status(session)
            jobs = repo.jobs_by_status(session)
            unfinished = repo.unfinished_jobs_by_kind(session)
            oldest = repo.oldest_runnable_job(session, now)

        for index, name in enumerate(COUNTERS):
            metric = f"imgwired_{name}_total"
            lines += _header(metric, "counter", _HELP[name])
            for row in usage:
                lines.append(_sample(metric, _env(row[0], names), row[index + 1]))
        lines += _header("imgwired_storage_bytes", "gauge", "Bytes of originals stored now")
        for row in usage:
            added, removed = row[1 + COUNTERS.index("storage_bytes_added")], row[-1]
            lines.append(_sample("imgwired_storage_bytes", _env(row[0], names), added - removed))
        lines += _header("imgwired_images", "gauge", "Images that are not deleted, by status")
        for environment_id, status, count in images:
            labels = {**_env(environment_id, names), "status": status.value}
            lines.append(_sample("imgwired_images", labels, count))
        lines += _header("imgwired_jobs", "gauge", "Jobs in the job table, by status")
        for job_status, count in jobs:
            lines.append(_sample("imgwired_jobs", {"status": job_status.value}, count))
        lines += _job_queue(unfinished, (now - oldest).total_seconds() if oldest else 0.0)
        lines += self._render_lanes()
        lines += self._skipped_rows(names)
        return "\n".join(lines) + "\n"

    def _render_lanes(self) -> list[str]:
        if self._render_load is None:
            return []
        pid = str(os.getpid())
        lines: list[str] = []
        loads = self._render_load()
        for figure, text in _LANE_FIGURES.items():
            metric = f"imgwired_renders_{figure}"
            lines += _header(metric, "gauge", f"{text}, in the process that answered (pid)")
            for lane, load in loads.items():
                lines.append(_sample(metric, {"lane": lane, "pid": pid}, getattr(load, figure)))
        return lines

    def _skipped_rows(self, names: dict[uuid.UUID, str]) -> list[str]:
        """Stored rows this process leaves out because they no longer parse (older versions)."""
        lines: list[str] = []
        if self._cors is not None:
            metric = "imgwired_cors_origins_skipped"
            lines += _header(metric, "gauge", "Stored CORS origin patterns skipped: not compilable")
            for environment_id, count in self._cors.skipped_patterns().items():
                lines.append(_sample(metric, _env(environment_id, names), count))
        if self._custom_domains is not None:
            metric = "imgwired_custom_domains_skipped"
            lines += _header(metric, "gauge", "Connected custom domains skipped: hostname invalid")
            for environment_id in self._custom_domains.skipped():
                lines.append(_sample(metric, _env(environment_id, names), 1))
        return lines


_LANE_FIGURES = {
    "waiting": "Renders waiting for a thread, per lane",
    "running": "Renders running, per lane",
    "threads": "Threads a lane may use at once",
}


def _job_queue(unfinished: Iterable[Any], oldest_seconds: float) -> list[str]:
    """Queued and running jobs by kind, and how long the longest-waiting due job has waited."""
    lines: list[str] = []
    for status, metric, text in (
        (JobStatus.QUEUED, "imgwired_jobs_queued", "Jobs waiting for a worker, by kind"),
        (JobStatus.RUNNING, "imgwired_jobs_running", "Jobs a worker holds now, by kind"),
    ):
        lines += _header(metric, "gauge", text)
        for kind, job_status, count in unfinished:
            if job_status == status:
                lines.append(_sample(metric, {"kind": kind}, count))
    metric = "imgwired_jobs_oldest_queued_seconds"
    lines += _header(metric, "gauge", "Seconds the longest-waiting due job has been queued")
    lines.append(f"{metric} {oldest_seconds:.3f}")
    return lines


def _header(metric: str, kind: str, text: str) -> Iterable[str]:
    return (f"# HELP {metric} {text}", f"# TYPE {metric} {kind}")


def _env(environment_id: uuid.UUID, names: dict[uuid.UUID, str]) -> dict[str, str]:
    return {"environment_id": str(environment_id), "environment": names.get(environment_id, "")}


def _sample(metric: str, labels: dict[str, str], value: object) -> str:
    rendered = ",".join(f'{key}="{_escape(text)}"' for key, text in labels.items())
    return f"{metric}{{{rendered}}} {int(value)}"  # type: ignore[call-overload]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
