"""What the SDK raises. Every error is an ``ImgwireError``::

    ImgwireError
    ├── APIConnectionError          no HTTP answer: refused, reset, DNS, TLS
    │   └── APITimeoutError         connect, read, write or pool timeout
    ├── APIStatusError              the server answered 4xx/5xx (status_code, detail, error_type,
    │   │                           request_id, response)
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── PayloadTooLargeError        413 (over the key's maximum_upload_bytes)
    │   ├── UnprocessableEntityError    422 (detail is a list of {loc, msg, type})
    │   ├── RateLimitError              429
    │   └── InternalServerError         >= 500
    └── ProcessingTimeoutError      a wait (``upload(wait=True)``, a bulk download) ran out

Other statuses (405, 431, ...) raise ``APIStatusError`` itself. Branch on ``error_type``,
which the server keeps stable, rather than on ``detail``, which is prose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from imgwired.client.models import BulkDownloadJob, Image

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ImgwireError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProcessingTimeoutError",
    "RateLimitError",
    "UnprocessableEntityError",
    "error_from_response",
]


class ImgwireError(Exception):
    """The base of everything the SDK raises on purpose."""


class APIConnectionError(ImgwireError):
    """The request got no HTTP answer; ``request`` is what was being sent."""

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, sending, waiting for the answer or for a connection)."""


class APIStatusError(ImgwireError):
    """The server answered with an error status; its JSON error body is unpacked here.

    ``detail`` is a sentence, or for a 422 the list of ``{loc, msg, type}`` items, and
    ``message`` is it as one readable line; ``error_type`` and ``request_id`` are ``None`` when
    the body was not the server's JSON (a proxy's error page).
    """

    def __init__(
        self,
        *,
        response: httpx.Response,
        detail: Any,
        error_type: str | None,
        request_id: str | None,
    ) -> None:
        self.response = response
        self.status_code = response.status_code
        self.detail = detail
        self.message = render_detail(detail)
        self.error_type = error_type
        self.request_id = request_id
        super().__init__(self._message())

    def _message(self) -> str:
        kind = f" {self.error_type}" if self.error_type else ""
        text = f"{self.status_code}{kind}: {self.message}"
        return f"{text} (request id {self.request_id})" if self.request_id else text


class BadRequestError(APIStatusError):
    """400: the server understood the request and refused it (bad upload bytes, bad URL)."""


class AuthenticationError(APIStatusError):
    """401: no key, a wrong or revoked key, a client key on a server operation, a bad token."""


class PermissionDeniedError(APIStatusError):
    """403: an upload URL that is invalid, expired or used; another environment; CORS."""


class NotFoundError(APIStatusError):
    """404: no such resource in this environment (deleted ones included)."""


class ConflictError(APIStatusError):
    """409: a duplicate, a reused idempotency key with another request, a limit reached."""


class PayloadTooLargeError(APIStatusError):
    """413: an upload larger than the client key's ``maximum_upload_bytes`` or the server allows."""


class UnprocessableEntityError(APIStatusError):
    """422: the request did not validate; ``detail`` lists each problem."""


class RateLimitError(APIStatusError):
    """429: too many requests, or too many pending uploads for a client key."""


class InternalServerError(APIStatusError):
    """500 and above: the server failed or is busy; quote ``request_id`` when reporting it."""


class ProcessingTimeoutError(ImgwireError):
    """A wait ran out: ``resource`` (the image or bulk download job) as last seen, unfinished."""

    def __init__(self, message: str, *, resource: Image | BulkDownloadJob) -> None:
        super().__init__(message)
        self.resource = resource


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_from_response(response: httpx.Response) -> APIStatusError:
    """The exception for an error response (status >= 400), built from its body."""
    detail: Any
    error_type = request_id = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "detail" in body:
        detail = body["detail"]
        error_type = _text_or_none(body.get("error_type"))
        request_id = _text_or_none(body.get("request_id"))
    else:
        detail = response.text.strip()[:500] or response.reason_phrase
    request_id = request_id or response.headers.get("X-Request-Id")
    status = response.status_code
    cls = InternalServerError if status >= 500 else _BY_STATUS.get(status, APIStatusError)
    return cls(response=response, detail=detail, error_type=error_type, request_id=request_id)


def render_detail(detail: Any) -> str:
    """A detail as one readable line: validation items become ``loc: msg`` joined by ``; ``."""
    if isinstance(detail, list):
        return "; ".join(_render_item(item) for item in detail) or "invalid request"
    return str(detail)


def _render_item(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    loc = ".".join(str(part) for part in item.get("loc") or ())
    message = str(item.get("msg", item))
    return f"{loc}: {message}" if loc else message


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
