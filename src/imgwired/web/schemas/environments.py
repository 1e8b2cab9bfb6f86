"""Environment shapes from the full contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, WithJsonSchema

from imgwired.accounts.names import NAME_MAX_LENGTH
from imgwired.web.schemas.base import RequestSchema, ResponseSchema


def name_schema() -> WithJsonSchema:
    """The name's bounds as documented; the services check them (accounts/names.py), so the
    API and the CLI refuse the same names with the same sentence."""
    return WithJsonSchema(
        {"type": "string", "maxLength": NAME_MAX_LENGTH, "minLength": 1, "title": "Name"}
    )


# A constrained str is read as Unicode text, so a lone surrogate (JSON can spell one) is a
# validation error here, as NUL is in RequestSchema; the name's rule itself is the service's.
UnicodeText = Annotated[str, StringConstraints(strip_whitespace=True)]
EnvironmentName = Annotated[UnicodeText, name_schema(), Field(title="Name")]


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
