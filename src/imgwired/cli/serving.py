"""The server processes of ``imgwired serve``: one, or ``workers`` of them sharing one port.

The start-up (migrations, ``init`` on a first start, the banner with the keys) has already run
once in the parent when ``run`` is called; only then do server processes exist. With one worker
the parent serves itself. With more, uvicorn's supervisor binds the socket once and spawns the
processes that accept on it; each builds its app from ``served_app``, an app factory named by an
import string (a spawned process starts afresh and can be handed nothing but picklable values).
The supervisor starts a process again when one dies, and on SIGTERM passes SIGTERM to each and
waits for them: each gives its requests in flight ``shutdown_timeout_seconds``, as one server does.
"""

from __future__ import annotations

import os
from typing import Any

from imgwired.config import Settings, variable_of

APP_FACTORY = "imgwired.cli.serving:served_app"
# The settings a command-line flag may have changed in the parent: they reach the spawned
# processes through their environment. Every other setting they read as the parent did.
_FROM_FLAGS = ("host", "port", "log_format")


def run(settings: Settings) -> None:
    """Serve until stopped: ``settings.workers`` processes on ``settings.host:port``."""
    import uvicorn

    from imgwired.web.access_log import uvicorn_logging
    from imgwired.web.http_protocol import CanonicalCaseHttpToolsProtocol

    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        **uvicorn_logging(settings.log_format),
        # httptools, spelling header names canonically on the wire (see web/http_protocol.py).
        "http": CanonicalCaseHttpToolsProtocol,
        # Oversized headers get our JSON 431 rather than the server's bare 400.
        "h11_max_incomplete_event_size": settings.max_total_header_bytes * 2,
        # On SIGTERM requests in flight get this long; then they are cancelled and the
        # lifespan stops the renders still running, so the process ends within seconds.
        "timeout_graceful_shutdown": settings.shutdown_timeout_seconds,
        # X-Forwarded-For and -Proto are read by imgwired itself, from IMGWIRED_TRUSTED_PROXIES
        # only; uvicorn's default would trust them from any process on 127.0.0.1.
        "proxy_headers": False,
    }
    if settings.workers == 1:
        from imgwired.web.app import create_app

        uvicorn.run(create_app(settings), **options)
        return
    os.environ.update(worker_environment(settings))
    uvicorn.run(APP_FACTORY, factory=True, workers=settings.workers, **options)


def worker_environment(settings: Settings) -> dict[str, str]:
    """The variables that make ``Settings()`` in a spawned server process equal ``settings``."""
    handed = {variable_of(name): str(getattr(settings, name)) for name in _FROM_FLAGS}
    # The parent migrated before any process started; N processes need not check again.
    handed[variable_of("migrate_on_start")] = "false"
    return handed


def served_app() -> object:
    """The ASGI app of one server process under the supervisor (uvicorn calls this in it)."""
    from imgwired.web.app import create_app

    return create_app(Settings())
