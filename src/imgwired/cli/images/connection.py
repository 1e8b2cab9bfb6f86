"""Which server and key ``imgwired images`` uses, and where each came from.

The base URL is decided once, first match wins:

1. ``--base-url``;
2. ``IMGWIRED_BASE_URL``;
3. the server settings, when set explicitly (``IMGWIRED_PUBLIC_URL``, ``IMGWIRED_HOST``,
   ``IMGWIRED_PORT``): the base URL ``serve`` itself prints for them;
4. ``<data dir>/server.json``, written by a running ``imgwired serve`` (see ``server_record``);
5. ``http://localhost:8000``.

The source travels with the URL, so an error can say which setting pointed where.
"""

from __future__ import annotations

import argparse
import os
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from imgwired.cli import server_record

from .failures import CliFailure

if TYPE_CHECKING:
    from imgwired.client import ImgwireClient

DEFAULT_BASE_URL = "http://localhost:8000"
API_KEY_VARIABLE = "IMGWIRED_API_KEY"
BASE_URL_VARIABLE = "IMGWIRED_BASE_URL"
# The server settings that, when set, say where `serve` listens.
_SERVER_VARIABLES = ("IMGWIRED_PUBLIC_URL", "IMGWIRED_HOST", "IMGWIRED_PORT")


@dataclass(frozen=True, slots=True)
class Connection:
    """What the client is built from: each value with the flag or variable that gave it."""

    base_url: str
    base_url_source: str
    api_key: str
    api_key_source: str
    environment_id: str | None
    upload_token_given: bool

    def client(self, *, timeout: float = 30.0) -> ImgwireClient:
        from imgwired.client import ImgwireClient

        return ImgwireClient(
            api_key=self.api_key,
            base_url=self.base_url,
            environment_id=self.environment_id,
            timeout=timeout,
            # Bulk work meets the server's rate limits: wait as its Retry-After says, a few
            # times over, rather than fail the file.
            max_retries=_RETRIES,
        )


_RETRIES = 6


def connection_for(args: argparse.Namespace) -> Connection:
    """The connection the command line asks for; raises ``CliFailure`` naming the bad flag."""
    base_url, source = locate_server(args.base_url)
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problem = f"{source} must be an http(s) URL, not {base_url!r}"
        raise CliFailure(problem, "InvalidBaseUrlError")
    if args.api_key:
        api_key, key_source = args.api_key, "--api-key"
    elif os.environ.get(API_KEY_VARIABLE):
        api_key, key_source = os.environ[API_KEY_VARIABLE], API_KEY_VARIABLE
    else:
        raise CliFailure(
            f"no API key: pass --api-key or set {API_KEY_VARIABLE} "
            "(the server key `imgwired serve` printed on its first start)",
            "MissingApiKeyError",
        )
    environment_id = args.environment_id
    if environment_id is not None:
        try:
            environment_id = str(uuid.UUID(environment_id))
        except ValueError:
            raise CliFailure(
                f"--env/--environment-id must be an environment's id (a UUID), "
                f"not {environment_id!r}",
                "InvalidEnvironmentIdError",
            ) from None
    return Connection(
        base_url=base_url.rstrip("/"),
        base_url_source=source,
        api_key=api_key,
        api_key_source=key_source,
        environment_id=environment_id,
        upload_token_given=bool(getattr(args, "upload_token", None)),
    )


def locate_server(flag: str | None) -> tuple[str, str]:
    """The base URL to talk to and where it came from (see the module's docstring)."""
    if flag:
        return flag, "--base-url"
    if os.environ.get(BASE_URL_VARIABLE):
        return os.environ[BASE_URL_VARIABLE], BASE_URL_VARIABLE
    from pydantic import ValidationError

    from imgwired.config import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"IMGWIRED_{'_'.join(map(str, error['loc'])).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        problem = f"the server settings are invalid: {problems}"
        raise CliFailure(problem, "InvalidSettingsError") from None
    explicit = [name for name in _SERVER_VARIABLES if os.environ.get(name)]
    if explicit:
        return settings.base_url, "/".join(explicit)
    record = server_record.read_live(settings.data_dir)
    if record is not None:
        path = record.path
        return record.base_url, str(path) if path.is_absolute() else f"./{path}"
    return DEFAULT_BASE_URL, "the default"
