"""The CORS page: the environment's allowlist, its policy, the explain form and the log of
refused origins.

Everything it lists is read through the CORS services here; every change is a ``fetch`` from
``static/cors.js`` to ``/api/v1/cors_origins`` and ``/api/v1/cors_policy``, so the page shows
the API's own validation messages and needs no endpoint of its own.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from imgwired.pagination import MAX_LIMIT, PageRequest
from imgwired.web.dashboard.views import ViewDep, render
from imgwired.web.services import ServicesDep

router = APIRouter()

# What the explain form offers; any other method may still be typed into the API.
EXPLAIN_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@router.get("/dashboard/cors", name="dashboard.cors")
def cors_page(view: ViewDep, services: ServicesDep) -> Response:
    environment_id = view.environment_id
    if environment_id is None:
        return render(view, "cors.html")
    # One page of each list: an allowlist or a refusal log longer than that is read over the API.
    first_page = PageRequest(1, MAX_LIMIT)
    return render(
        view,
        "cors.html",
        origins=services.cors.list(environment_id, first_page),
        policy=services.cors.policy(environment_id),
        rejections=services.cors_runtime.rejections(environment_id, first_page),
        explain_methods=EXPLAIN_METHODS,
    )
