"""The two base classes of every wire schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError


class RequestSchema(BaseModel):
    """A request body: no unknown fields, and only values every database can store.

    JSON can spell a NUL character (``\\u0000``) and Python's reader takes ``NaN`` and
    ``Infinity``; PostgreSQL stores neither, so both are refused here, the same on every backend.
    """

    # A misspelt field is an error, not silently ignored (documented in docs/api.md).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul_characters(cls, value: Any) -> Any:
        if _holds_nul(value):
            raise PydanticCustomError("string_nul", "Text must not contain NUL characters")
        return value


class ResponseSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _holds_nul(value: Any) -> bool:
    """Whether a string anywhere in ``value`` (keys of mappings included) holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_nul(item) for item in value)
    return False
