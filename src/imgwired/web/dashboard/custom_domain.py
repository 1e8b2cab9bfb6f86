"""The Custom domain page: the environment's domain, its status, the DNS records to create and
the last test's result; ``static/custom_domain.js`` creates, tests and deletes it over
``/api/v1/custom_domain``."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from imgwired.custom_domains.service import DomainView
from imgwired.errors import CustomDomainNotFoundError
from imgwired.web.dashboard.views import ViewDep, render
from imgwired.web.services import ServicesDep

router = APIRouter()

# What each status means to the person reading the page (custom_domains/service.py decides them).
STATUS_TEXT = {
    "PENDING": "Not tested yet: create the DNS record, then test the connection.",
    "CONNECTED": "Images are served on this hostname.",
    "FAILED": "Not connected: the last test did not find the CNAME record.",
}
CERTIFICATE_TEXT = {
    "PENDING": "None yet: one is obtained once the domain is connected.",
    "ACTIVE": "May be issued and renewed.",
    "FAILING": "Renewals are refused until the DNS record is fixed.",
}


@router.get("/dashboard/custom-domain", name="dashboard.custom_domain")
def custom_domain_page(view: ViewDep, services: ServicesDep) -> Response:
    environment_id = view.environment_id
    found: DomainView | None = None
    if environment_id is not None:
        try:
            found = services.custom_domains.get(environment_id)
        except CustomDomainNotFoundError:
            found = None
    return render(
        view,
        "custom_domain.html",
        found=found,
        cname_target=services.custom_domains.cname_target,
        status_text=STATUS_TEXT,
        certificate_text=CERTIFICATE_TEXT,
    )
