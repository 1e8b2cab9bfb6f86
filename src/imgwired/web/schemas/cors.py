"""CORS shapes: origins from the contract; policy, evaluation and rejections are ours."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from imgwired.web.schemas.base import RequestSchema, ResponseSchema

Pattern = Annotated[str, Field(min_length=1, max_length=4096, title="Pattern")]
Names = Annotated[list[Annotated[str, Field(max_length=256)]], Field(max_length=64)]


class CorsOriginCreateSchema(RequestSchema):
    pattern: Pattern


class CorsOriginUpdateSchema(RequestSchema):
    pattern: Pattern


class CorsOriginSchema(ResponseSchema):
    id: uuid.UUID
    environment_id: uuid.UUID
    pattern: str
    created_at: datetime
    updated_at: datetime


class CorsPolicySchema(ResponseSchema):
    """An environment's CORS policy; ``updated_at`` is null while it has the defaults."""

    allowed_methods: list[str]
    allowed_headers: list[str]
    expose_headers: list[str]
    max_age: int
    allow_credentials: bool
    allow_private_network: bool
    mode: Literal["enforce", "report_only"]
    updated_at: datetime | None


class CorsPolicyUpdateSchema(RequestSchema):
    allowed_methods: Names | None = None
    allowed_headers: Names | None = None
    expose_headers: Names | None = None
    max_age: int | None = None
    allow_credentials: bool | None = None
    allow_private_network: bool | None = None
    mode: Literal["enforce", "report_only"] | None = None


class CorsEvaluationCreateSchema(RequestSchema):
    origin: Annotated[str, Field(max_length=4096)]
    method: Annotated[str, Field(min_length=1, max_length=64)] = "POST"
    request_headers: Names = Field(default_factory=list)


class CorsDecisionSchema(ResponseSchema):
    status: int
    allowed: bool
    reason: str
    headers: dict[str, str]


class CorsEvaluationSchema(ResponseSchema):
    origin: str
    origin_is_valid: bool
    allowed: bool
    reason: str
    matched_pattern: str | None
    mode: Literal["enforce", "report_only"]
    preflight_required: bool
    preflight: CorsDecisionSchema
    request: CorsDecisionSchema


class CorsRejectionSchema(ResponseSchema):
    origin: str
    endpoint: str
    reason: str
    count: int
    first_seen_at: datetime
    last_seen_at: datetime
