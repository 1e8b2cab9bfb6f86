"""Waiting for the server's background work: poll with a growing pause until done or out of time.

Processing an upload and building a bulk download happen in jobs; the API only shows their
status, so waiting means reading it again, 0.2 s after the first read and at most 2 s apart.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

from imgwired.client._exceptions import ProcessingTimeoutError
from imgwired.client.models import BulkDownloadJob, Image

FIRST_PAUSE = 0.2
MAX_PAUSE = 2.0

R = TypeVar("R", Image, BulkDownloadJob)


def poll(fetch: Callable[[], R], done: Callable[[R], bool], timeout: float) -> R:
    """The first ``fetch()`` that is ``done``; ``ProcessingTimeoutError`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    pause = FIRST_PAUSE
    while True:
        resource = fetch()
        remaining = deadline - time.monotonic()
        if done(resource):
            return resource
        if remaining <= 0:
            raise _timed_out(resource, timeout)
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, MAX_PAUSE)


async def apoll(fetch: Callable[[], Awaitable[R]], done: Callable[[R], bool], timeout: float) -> R:
    """``poll`` for the async client (asyncio or trio)."""
    deadline = anyio.current_time() + timeout
    pause = FIRST_PAUSE
    while True:
        resource = await fetch()
        remaining = deadline - anyio.current_time()
        if done(resource):
            return resource
        if remaining <= 0:
            raise _timed_out(resource, timeout)
        await anyio.sleep(min(pause, remaining))
        pause = min(pause * 2, MAX_PAUSE)


def _timed_out(resource: Image | BulkDownloadJob, timeout: float) -> ProcessingTimeoutError:
    kind = "image" if isinstance(resource, Image) else "bulk download job"
    message = f"{kind} {resource.id} was still {resource.status} after {timeout:g} s"
    return ProcessingTimeoutError(message, resource=resource)
