"""Error statuses in the OpenAPI document: what each operation can answer besides its 200.

Every declared error has the one error shape: ``ErrorSchema``, or for a 422 the contract's
``HTTPValidationError`` (the body also carries ``error_type`` and ``request_id``; the schema
allows extra fields). Routes and routers declare theirs with ``error_responses(404, 409)``;
``web/deps.py`` names what authentication can answer, and ``create_app`` adds
``BOUNDARY_ERRORS`` to every operation, since the error boundary may answer them to any request.
"""

from __future__ import annotations

from typing import Any

from fastapi.openapi.utils import (
    validation_error_definition,
    validation_error_response_definition,
)
from pydantic import BaseModel

_REF = "#/components/schemas/"


class ErrorSchema(BaseModel):
    """The body of every error response but a 422."""

    detail: str
    error_type: str
    request_id: str | None


_DESCRIPTIONS = {
    400: "The request breaks a rule of this operation",
    401: "No usable credentials, or credentials of the wrong kind",
    403: "Refused: another environment's id, an origin the environment does not allow, or an "
    "invalid or expired signed URL",
    404: "No such resource in the caller's environment",
    409: "The change collides with existing state",
    413: "The request body is larger than allowed",
    422: "Validation Error",
    429: "Too many requests: a rate limit (see Retry-After and RateLimit), or too many pending "
    "uploads for this key",
    431: "The request headers are larger than allowed",
    503: "Not ready: the install is not initialised, or storage is unavailable",
}

BOUNDARY_ERRORS = (413, 431)
"""Answered by the error boundary before any route runs, to any request."""


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these error statuses, each with the error shape."""
    return {status: _response(status) for status in statuses}


def _response(status: int) -> dict[str, Any]:
    schema = "HTTPValidationError" if status == 422 else "ErrorSchema"
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"{_REF}{schema}"}}},
    }


def add_error_components(document: dict[str, Any]) -> None:
    """Put the schemas the error responses refer to into ``document``.

    FastAPI adds the validation schemas only while it adds a 422 itself, which it skips for an
    operation that already declares one.
    """
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorSchema", ErrorSchema.model_json_schema())
    schemas.setdefault("ValidationError", validation_error_definition)
    schemas.setdefault("HTTPValidationError", validation_error_response_definition)
