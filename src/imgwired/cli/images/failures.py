"""What ``imgwired images`` says when something fails: one line naming the CLI's own flags.

The SDK speaks of its arguments (``api_key=``) and the server of HTTP headers
(``Authorization``, ``X-Environment-Id``); a person at a terminal typed ``--api-key`` and
``--env``. ``explain`` turns both into a ``CliFailure`` worded in flags; ``report`` prints it
as ``imgwired: <detail>`` or, under ``--json``, as one JSON object in the API's error shape
(``detail``, ``error_type``, ``request_id``) on stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imgwired.client import APIStatusError

    from .connection import Connection


class CliFailure(Exception):
    """A failure worded for the command line; ``error_type`` is a stable name."""

    def __init__(
        self,
        detail: str,
        error_type: str,
        *,
        request_id: str | None = None,
        from_server: bool = False,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.error_type = error_type
        self.request_id = request_id
        self.from_server = from_server

    def document(self) -> dict[str, str | None]:
        return {"detail": self.detail, "error_type": self.error_type, "request_id": self.request_id}


def report(failure: CliFailure, *, as_json: bool) -> None:
    from imgwired.cli.output import emit_error

    message = failure.detail
    if failure.from_server and not as_json:
        message = f"{failure.detail} ({failure.error_type})"
    emit_error(
        message,
        error_type=failure.error_type,
        as_json=as_json,
        detail=failure.detail,
        request_id=failure.request_id,
    )


def explain(error: BaseException, connection: Connection | None) -> CliFailure:
    """``error`` (an SDK error, an ``OSError``, a ``CliFailure``) as a ``CliFailure``."""
    from imgwired.client import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        ProcessingTimeoutError,
    )

    if isinstance(error, CliFailure):
        return error
    if isinstance(error, APIStatusError) and connection is not None:
        return _status_failure(error, connection)
    if isinstance(error, APIStatusError):
        kind = error.error_type or f"HTTP{error.status_code}"
        return CliFailure(error.message, kind, request_id=error.request_id, from_server=True)
    if isinstance(error, APIConnectionError) and connection is not None:
        return _connection_failure(error, connection, timed_out=isinstance(error, APITimeoutError))
    if isinstance(error, ProcessingTimeoutError):
        return CliFailure(str(error), "ProcessingTimeoutError")
    if isinstance(error, FileNotFoundError):
        return CliFailure(str(error), "FileNotFoundError")
    if isinstance(error, OSError):
        return CliFailure(str(error), "FileError")
    return CliFailure(str(error), type(error).__name__)


def _connection_failure(error: Exception, connection: Connection, *, timed_out: bool) -> CliFailure:
    request = getattr(error, "request", None)
    url = str(request.url.copy_with(query=None)) if request is not None else connection.base_url
    where = f"{connection.base_url} (from {connection.base_url_source})"
    if not url.startswith(connection.base_url):
        # An upload or download URL the server handed out: its host comes from the server's
        # IMGWIRED_PUBLIC_URL, not from this command line.
        what = "did not answer in time" if timed_out else "could not be reached"
        return CliFailure(
            f"{url} {what}; the server at {where} hands out URLs on that host: "
            "check its IMGWIRED_PUBLIC_URL",
            "ServerUnreachableError",
        )
    if timed_out:
        return CliFailure(f"the server at {where} did not answer in time", "ServerTimeoutError")
    return CliFailure(
        f"no imgwired answers at {where}; is `imgwired serve` running?", "ServerUnreachableError"
    )


def _status_failure(error: APIStatusError, connection: Connection) -> CliFailure:
    key = connection.api_key_source
    kind = error.error_type or f"HTTP{error.status_code}"
    wording = {
        "MissingCredentialsError": f"no API key reached the server: pass --api-key or set {key}",
        "InvalidApiKeyError": _invalid_key(error.message, key),
        "RevokedApiKeyError": f"the key in {key} has been revoked; "
        "make another with `imgwired keys create`",
        "ClientKeyNotAllowedError": f"this needs a server key (sk_...), and {key} holds a client "
        "key (ck_...): pass a server key with --api-key",
        "EnvironmentRequiredError": f"{key} holds the admin token, which acts on one environment: "
        "name it with --env/--environment-id",
        "EnvironmentMismatchError": "--env/--environment-id names another environment than the "
        f"key in {key} belongs to: leave it out",
        "UploadTokenError": _upload_token(error.message, connection.upload_token_given),
    }.get(kind)
    if kind == "EnvironmentNotFoundError" and connection.environment_id:
        wording = f"--env/--environment-id: {error.message}"
    if wording is None:
        wording = error.message
    return CliFailure(wording, kind, request_id=error.request_id, from_server=True)


def _invalid_key(message: str, key: str) -> str:
    if "admin token" in message:
        return f"the admin token in {key} is not valid for this server"
    if "malformed" in message:
        return f"{key} is not an API key: keys start with sk_ (server) or ck_ (client)"
    return f"the key in {key} is not valid for this server"


def _upload_token(message: str, token_given: bool) -> str:
    if not token_given:
        return (
            "this client key needs an upload token: pass --upload-token "
            "(make one with `imgwired images token` and a server key)"
        )
    return f"--upload-token was refused: {message}"
