"""``InvalidationBus``: the one interface both ways of telling processes of a change share.

``publish`` applies the event in this process at once (before the request that made the change
answers) and then tells the others. How fast the others hear of it is the backend's: Redis
delivers within milliseconds; without it they learn of the change from their own polls of the
database (``IMGWIRED_CORS_POLL_SECONDS``, ``IMGWIRED_CUSTOM_DOMAIN_POLL_SECONDS``, and the
delivery memory's one-second re-check), which also run with Redis, as a safety net.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable

from imgwired.bus.events import Invalidation

Apply = Callable[[Invalidation], None]
Resync = Callable[[], None]

log = logging.getLogger("imgwired.bus")


class InvalidationBus(abc.ABC):
    """Carries invalidations between the processes of one install."""

    def __init__(self) -> None:
        self._apply: Apply | None = None
        self._resync: Resync | None = None

    def subscribe(self, apply: Apply, resync: Resync) -> None:
        """``apply`` takes every event, this process's and the others'; ``resync`` re-reads
        everything when events may have been missed (a reconnection)."""
        self._apply, self._resync = apply, resync

    def publish(self, event: Invalidation) -> None:
        """Apply ``event`` here now, then tell the other processes. Called after the change
        committed; failing to tell them is logged, not raised: their polls still see it."""
        if self._apply is not None:
            self._apply(event)
        try:
            self._send(event)
        except Exception:  # the change is stored; the others' polls are the safety net
            log.exception("could not tell other processes of %s", event.topic.value)

    @abc.abstractmethod
    def _send(self, event: Invalidation) -> None:
        """Deliver ``event`` to the other processes (or leave it to their polls)."""

    @property
    @abc.abstractmethod
    def instant(self) -> bool:
        """Whether other processes hear of an event at once (else only through their polls)."""

    def start(self) -> None:  # noqa: B027 - most backends have nothing to start
        """Begin hearing the other processes' events (a serving process calls this)."""

    def close(self) -> None:  # noqa: B027 - most backends hold nothing
        """Stop hearing events and let go of connections."""
