"""The Metrics page: a frame that ``static/metrics.js`` fills with charts of the environment's
usage, read from ``/api/v1/metrics`` in the viewer's time zone (the browser's IANA zone, sent
as ``tz``; the server cannot know it when it renders the page)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from imgwired.metrics.periods import MetricsDatasetInterval
from imgwired.web.dashboard.views import ViewDep, render

router = APIRouter()

INTERVALS = {
    MetricsDatasetInterval.HOURLY: "Hourly (last 24 hours)",
    MetricsDatasetInterval.DAILY: "Daily (last 30 days)",
    MetricsDatasetInterval.WEEKLY: "Weekly (last 12 weeks)",
    MetricsDatasetInterval.MONTHLY: "Monthly (last 12 months)",
}


@router.get("/dashboard/metrics", name="dashboard.metrics")
def metrics_page(view: ViewDep) -> Response:
    asked = view.request.query_params.get("interval", "")
    interval = (
        MetricsDatasetInterval(asked)
        if asked in MetricsDatasetInterval.__members__
        else MetricsDatasetInterval.DAILY
    )
    return render(view, "metrics.html", intervals=INTERVALS, interval=interval)
