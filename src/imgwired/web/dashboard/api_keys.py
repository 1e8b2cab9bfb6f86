"""The API keys page: the environment's keys (masked), a form to create one (its secret shown
once, by ``static/api_keys.js``), revocation, and each client key's upload settings.

Keys are managed with the admin token (``/api/v1/api_keys`` needs it), so a session signed in
with a server key sees why the page is closed to it rather than a list it could not change.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from imgwired.accounts.api_keys import (
    DEFAULT_PENDING_UPLOADS,
    DEFAULT_UPLOAD_BYTES,
    MAX_UPLOAD_BYTES,
    MIN_PENDING_UPLOADS,
    MIN_UPLOAD_BYTES,
)
from imgwired.media_types import SupportedMimeType
from imgwired.pagination import MAX_LIMIT, PageRequest
from imgwired.web.dashboard.views import ViewDep, render
from imgwired.web.services import ServicesDep

router = APIRouter()

# What the settings fields offer and say; the key service decides and words any refusal.
LIMITS = {
    "min_upload_bytes": MIN_UPLOAD_BYTES,
    "max_upload_bytes": MAX_UPLOAD_BYTES,
    "default_upload_bytes": DEFAULT_UPLOAD_BYTES,
    "min_pending_uploads": MIN_PENDING_UPLOADS,
    "default_pending_uploads": DEFAULT_PENDING_UPLOADS,
}


@router.get("/dashboard/api-keys", name="dashboard.api_keys")
def api_keys_page(view: ViewDep, services: ServicesDep) -> Response:
    environment_id = view.environment_id
    if environment_id is None or not view.is_admin:
        return render(view, "api_keys.html", keys=None)
    keys = services.api_keys.list(environment_id, None, PageRequest(1, MAX_LIMIT))
    return render(
        view, "api_keys.html", keys=keys, mime_types=list(SupportedMimeType), limits=LIMITS
    )
