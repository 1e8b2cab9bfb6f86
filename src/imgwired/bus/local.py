"""``PollingBus``: without Redis, other processes are not told; they poll the database."""

from __future__ import annotations

from imgwired.bus.base import InvalidationBus
from imgwired.bus.events import Invalidation


class PollingBus(InvalidationBus):
    """Applies events in this process only; every other process sees the change on its next
    poll of the database (about a second)."""

    def _send(self, event: Invalidation) -> None:
        pass  # nobody to tell: the others' polls read the database

    @property
    def instant(self) -> bool:
        return False
