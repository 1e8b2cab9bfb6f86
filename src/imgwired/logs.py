"""Log records as JSON lines: with ``--log-format json`` every record of the process, uvicorn's
and imgwired's alike, leaves as one JSON object per line on stderr.

Everything is logged through the standard library's ``logging``; structlog's
``ProcessorFormatter`` renders each record at the one handler, adding the time, the level, the
logger's name, the fields a record was given (``extra=``) and the id of the request being handled.
So no logger has to know the format, and uvicorn's records come out like ours.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, Literal

import structlog

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Every record logged inside carries ``request_id``: in this task, and in the threads it
    hands work to (they run in a copy of its context)."""
    tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def json_formatter() -> logging.Formatter:
    """Renders any record, structlog's or the standard library's, as one line of JSON."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
            structlog.stdlib.ExtraAdder(),
            _drop_copies,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # A plain traceback: structlog's dict tracebacks can show local variables, which
            # may hold a request's Authorization header or an upload token.
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )


def json_logging_config() -> dict[str, Any]:
    """A ``logging.config.dictConfig`` document: records of INFO and up from every logger go to
    stderr, one JSON object per line."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": json_formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        # uvicorn's loggers keep no handler of their own: their records reach the root's.
        "loggers": {
            name: {"level": "INFO", "handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
    }


def _drop_copies(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Drop what only repeats the event: uvicorn passes each message again with terminal colour
    codes (``extra=``), and a handler's formatter that ran before ours leaves the rendered
    ``message`` and ``asctime`` on the record (neither can be an ``extra=`` field)."""
    for name in _COPIES:
        event.pop(name, None)
    return event


_COPIES = ("color_message", "message", "asctime")
