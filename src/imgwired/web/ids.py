"""Path ids of the Resource API: only the canonical spelling names a resource.

Declared as ``image_id: ImageIdPath`` (and so on), so each route names its ids the same way and
the OpenAPI document still says ``format: uuid``. A path segment that is no UUID at all is a
422 in FastAPI's validation shape, like any malformed parameter; a UUID in another spelling
(upper case, without hyphens, in braces, ``urn:uuid:``) names nothing: 404 with the resource's
not-found error, as for an id nobody has.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BeforeValidator

from imgwired.errors import (
    ApiKeyNotFoundError,
    CorsOriginNotFoundError,
    DownloadNotFoundError,
    EnvironmentNotFoundError,
    ImageNotFoundError,
    NotFoundError,
)
from imgwired.ids import canonical_id, is_other_spelling


def not_canonical(error: type[NotFoundError], noun: str, text: str) -> NotFoundError:
    """The 404 for a resource id written in another spelling than the canonical one."""
    return error(
        f"No {noun} is named {text[:64]!r}; ids are written in lower case, with hyphens "
        "(as in 01234567-89ab-cdef-0123-456789abcdef)"
    )


def _canonical_only(error: type[NotFoundError], noun: str) -> BeforeValidator:
    def check(value: object) -> object:
        if not isinstance(value, str):
            return value
        found = canonical_id(value)
        if found is not None:
            return found
        if is_other_spelling(value):
            # Pydantic turns only ValueError and AssertionError into a validation error (422);
            # a domain error passes through to the one handler that maps it (404).
            raise not_canonical(error, noun, value)
        return value  # not a UUID at all: the UUID type refuses it with a 422

    return BeforeValidator(check)


EnvironmentIdPath = Annotated[uuid.UUID, _canonical_only(EnvironmentNotFoundError, "environment")]
ApiKeyIdPath = Annotated[uuid.UUID, _canonical_only(ApiKeyNotFoundError, "API key")]
CorsOriginIdPath = Annotated[uuid.UUID, _canonical_only(CorsOriginNotFoundError, "CORS origin")]
ImageIdPath = Annotated[uuid.UUID, _canonical_only(ImageNotFoundError, "image")]
DownloadIdPath = Annotated[uuid.UUID, _canonical_only(DownloadNotFoundError, "download")]
