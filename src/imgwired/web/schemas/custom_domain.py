"""Custom domain shapes from the contract, and the TLS proxy's answer (ours)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from imgwired.custom_domains.service import DomainView
from imgwired.db.models import CustomDomainCertificateStatus, CustomDomainStatus
from imgwired.web.schemas.base import RequestSchema, ResponseSchema


class CustomDomainCreateSchema(RequestSchema):
    # No min_length: an empty name gets the hostname parser's own, clearer message.
    hostname: Annotated[str, Field(max_length=1024, title="Hostname")]


class CustomDomainSchema(ResponseSchema):
    id: uuid.UUID
    environment_id: uuid.UUID
    hostname: str
    cname_record: str
    cname_value: str
    dcv_cname_record: str
    dcv_cname_value: str
    certificate_status: CustomDomainCertificateStatus
    status: CustomDomainStatus
    last_verified_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: DomainView) -> CustomDomainSchema:
        domain, records = view.domain, view.records
        return cls(
            id=domain.id,
            environment_id=domain.environment_id,
            hostname=domain.hostname,
            cname_record=records.cname_record,
            cname_value=records.cname_value,
            dcv_cname_record=records.dcv_cname_record,
            dcv_cname_value=records.dcv_cname_value,
            certificate_status=CustomDomainCertificateStatus(domain.certificate_status),
            status=CustomDomainStatus(domain.status),
            last_verified_at=domain.last_verified_at,
            created_at=domain.created_at,
            updated_at=domain.updated_at,
        )


class TlsAskSchema(ResponseSchema):
    """The on-demand TLS proxy may obtain a certificate for the name it asked about."""

    allowed: bool
