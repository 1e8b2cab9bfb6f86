"""``GET /tls/ask?domain=``: may the on-demand TLS proxy get a certificate for this name? (ours)

Caddy's ``on_demand_tls { ask ... }`` treats any 2xx as yes. Unauthenticated on purpose: the
proxy cannot hold a key, and the answer reveals only what DNS already shows.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from imgwired.web.deps import ServicesDep
from imgwired.web.error_responses import error_responses
from imgwired.web.schemas.custom_domain import TlsAskSchema

router = APIRouter(prefix="/tls", tags=["Tls"])


@router.get(
    "/ask",
    operation_id="Tls_ask",
    summary="May the TLS proxy obtain a certificate for this domain? (imgwired)",
    responses={
        404: {
            **error_responses(404)[404],
            "description": "Not a connected custom domain: do not issue",
        }
    },
)
async def ask(
    domain: Annotated[str, Query(max_length=1024, title="Domain")], services: ServicesDep
) -> TlsAskSchema:
    services.custom_domains.check_tls(domain)  # memory only: fine on the event loop
    return TlsAskSchema(allowed=True)
