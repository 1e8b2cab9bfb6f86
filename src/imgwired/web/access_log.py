"""The access log without secrets: query values that grant access are replaced before logging.

Upload tokens travel as ``?upload_token=`` and signed URLs carry ``signature=``; both would
otherwise be written in full by the server's access log.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

SECRET_PARAMETERS = ("upload_token", "signature")
_SECRET_VALUE = re.compile(
    r"(?P<name>(?:^|[?&])(?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&\s]*", re.IGNORECASE
)


def redact(target: str) -> str:
    """``target`` with the value of every secret query parameter replaced by ``[redacted]``."""
    return _SECRET_VALUE.sub(r"\g<name>[redacted]", target)


class RedactSecrets(logging.Filter):
    """Rewrites the request target in uvicorn's access records (their third argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with the redacting filter on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets}
    config["handlers"]["access"].setdefault("filters", []).append("redact_secrets")
    return config
