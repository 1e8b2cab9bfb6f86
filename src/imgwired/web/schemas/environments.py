"""Environment shapes from the full contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from imgwired.web.schemas.base import RequestSchema, ResponseSchema

EnvironmentName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), Field(title="Name")
]


class EnvironmentCreateSchema(RequestSchema):
    name: EnvironmentName


class EnvironmentUpdateSchema(RequestSchema):
    name: EnvironmentName


class EnvironmentSchema(ResponseSchema):
    id: uuid.UUID
    organization_id: uuid.UUID | None
    name: str
    default: bool
    created_at: datetime
    updated_at: datetime
