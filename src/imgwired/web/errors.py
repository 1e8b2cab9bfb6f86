"""One table from domain errors to HTTP, and the one shape every error response has.

``{"detail": "<sentence>", "error_type": "<StableName>", "request_id": "<id>"}``; a 422 keeps
FastAPI's validation shape (``detail`` is a list of ``{loc, msg, type}``) and adds the other two.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from imgwired import errors
from imgwired.imaging.errors import ImageRejectedError
from imgwired.ingest.errors import FetchError
from imgwired.storage.base import BlobNotFoundError, InvalidBlobKeyError, StorageError
from imgwired.web.rate_limits import refusal_headers

log = logging.getLogger("imgwired.web")

# Keyed by class and read along the error's MRO (as Starlette finds exception handlers), so a
# subclass takes its nearest ancestor's status unless it has one of its own. Every domain error
# class must reach an entry below ``ImgwiredError``: tests/web/test_error_statuses.py checks it.
_STATUS: dict[type[errors.ImgwiredError], int] = {
    errors.InvalidInputError: 422,
    errors.NotFoundError: 404,
    errors.ConflictError: 409,
    errors.AuthenticationError: 401,
    errors.EnvironmentRequiredError: 400,
    errors.EnvironmentMismatchError: 403,
    errors.CrossSiteRequestError: 403,
    errors.PayloadTooLargeError: 413,
    errors.HeadersTooLargeError: 431,
    errors.NotInitializedError: 503,
    errors.CorsOriginNotAllowedError: 403,
    errors.NotImplementedYetError: 501,
    errors.UploadUrlError: 403,
    errors.UploadRejectedError: 400,
    errors.TooManyPendingUploadsError: 429,
    errors.RateLimitExceededError: 429,
    errors.InvalidTransformationError: 400,
    errors.TransformationTooLargeError: 400,
    errors.RenderTimeoutError: 503,
    # nginx's "client closed request": only the access log ever shows it.
    errors.RequestAbandonedError: 499,
    errors.ServiceBusyError: 503,
    # Bytes that are not a usable image: the content is refused, as any other invalid input.
    ImageRejectedError: 422,
    FetchError: 400,
    BlobNotFoundError: 404,
    StorageError: 503,
    # Blob keys are built by the server, never taken from a caller: a bad one is our fault.
    InvalidBlobKeyError: 500,
}

_HTTP_ERROR_TYPES = {
    404: "RouteNotFoundError",
    405: "MethodNotAllowedError",
}


def status_for(error: errors.ImgwiredError) -> int:
    """The status of ``error``; an error class without a deliberate one is a 500."""
    status = status_of(type(error))
    return 500 if status is None else status


def status_of(error_class: type[errors.ImgwiredError]) -> int | None:
    """The entry of ``error_class`` or of its nearest ancestor; None when only the base is left."""
    for cls in error_class.__mro__:
        status = _STATUS.get(cls)
        if status is not None:
            return status
    return None


def request_id_of(scope: Any) -> str | None:
    state = scope.get("state") or {}
    value = state.get("request_id")
    return value if isinstance(value, str) else None


def error_body(detail: Any, error_type: str, request_id: str | None) -> dict[str, Any]:
    return {"detail": detail, "error_type": error_type, "request_id": request_id}


def domain_error_response(error: errors.ImgwiredError, request_id: str | None) -> JSONResponse:
    status = status_for(error)
    detail: Any = error.detail
    if isinstance(error, errors.InvalidInputError):
        detail = [{"loc": list(error.loc), "msg": error.detail, "type": "value_error"}]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, errors.ServiceBusyError):
        headers = {"Retry-After": "1"}
    if isinstance(error, errors.RateLimitExceededError):
        headers = refusal_headers(error)
    return JSONResponse(error_body(detail, error.error_type, request_id), status, headers)


def validation_error_response(detail: list[dict[str, Any]], request_id: str | None) -> JSONResponse:
    """A 422 in FastAPI's validation shape, with ``error_type`` and ``request_id`` added."""
    return JSONResponse(error_body(detail, "RequestValidationError", request_id), 422)


def internal_error_response(request_id: str | None) -> JSONResponse:
    detail = "An unexpected error occurred; quote the request id when reporting it"
    return JSONResponse(error_body(detail, "InternalServerError", request_id), 500)


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.ImgwiredError)
        return domain_error_response(exc, request_id_of(request.scope))

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        detail = [_plain_validation_item(item) for item in exc.errors()]
        if _body_not_json(request, detail):
            detail = [_NOT_JSON]
        return validation_error_response(detail, request_id_of(request.scope))

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if _unreadable_json(exc):
            return validation_error_response([_UNREADABLE_JSON], request_id_of(request.scope))
        error_type = _HTTP_ERROR_TYPES.get(exc.status_code, "HTTPError")
        body = error_body(exc.detail, error_type, request_id_of(request.scope))
        return JSONResponse(body, exc.status_code, dict(exc.headers or {}))

    app.add_exception_handler(errors.ImgwiredError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


_NOT_JSON = {
    "loc": ["body"],
    "msg": "The request body must be a JSON object sent with Content-Type: application/json",
    "type": "json_content_type",
}


NOT_UTF8 = {
    "loc": ["body"],
    "msg": "The request body must be JSON encoded as UTF-8",
    "type": "json_invalid",
}

_UNREADABLE_JSON = {
    "loc": ["body"],
    "msg": "The JSON body cannot be read: it nests too deeply or holds a number over 4300 digits",
    "type": "json_invalid",
}


def _unreadable_json(exc: StarletteHTTPException) -> bool:
    """Whether FastAPI's 400 reports JSON that ``json.loads`` gave up on other than by syntax.

    FastAPI turns syntax errors into a 422 but any other failure into a bare 400, raised from
    the failure; bad input is a 422 here either way.
    """
    return exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError)


def _body_not_json(request: Request, detail: list[dict[str, Any]]) -> bool:
    """FastAPI does not parse a body without a JSON content type; say so instead of 'not a dict'."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    is_json = content_type == "application/json" or content_type.endswith("+json")
    return not is_json and any(item["loc"] == ["body"] for item in detail)


def _plain_validation_item(item: Any) -> dict[str, Any]:
    """A validation item that JSON can carry: drop ``ctx`` objects and echo no large inputs."""
    plain = {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type")}
    value = item.get("input")
    if isinstance(value, str | int | float | bool) and len(str(value)) <= 256 and _encodable(value):
        plain["input"] = value
    return plain


def _encodable(value: object) -> bool:
    if isinstance(value, float) and not math.isfinite(value):  # NaN and Infinity are not JSON
        return False
    try:
        str(value).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON \ud800 escape
        return False
    return True
