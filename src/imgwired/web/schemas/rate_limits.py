"""Rate-limit shapes (ours): an environment's limits, and the change of them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from imgwired.web.schemas.base import RequestSchema, ResponseSchema

# Beyond these, a limit would limit nothing a single server can serve.
MAX_PER_SECOND = 1_000_000
MAX_BURST = 1_000_000


class RateLimitSchema(ResponseSchema):
    """One limit: ``burst`` requests at once, then ``per_second`` sustained (0: no limit)."""

    per_second: float
    burst: int
    source: Literal["environment", "default"]


class RateLimitsSchema(ResponseSchema):
    """The limits that apply in the environment: per API key, per client address on
    client-callable endpoints and upload URLs, and per client address for first-hit renders."""

    key: RateLimitSchema
    ip: RateLimitSchema
    render: RateLimitSchema


class RateLimitUpdateSchema(RequestSchema):
    per_second: float = Field(ge=0, le=MAX_PER_SECOND)
    burst: int = Field(ge=1, le=MAX_BURST)


class RateLimitsUpdateSchema(RequestSchema):
    """A limit left out is unchanged; ``null`` returns it to the server's default."""

    key: RateLimitUpdateSchema | None = None
    ip: RateLimitUpdateSchema | None = None
    render: RateLimitUpdateSchema | None = None
