"""The most requested deliveries, kept in memory: bytes and headers, checked again every second.

A delivery's bytes never change (an image is immutable and its parameters are in the URL), but
whether it may still be served does: an image, or its whole environment, can be deleted. So an
entry is served from memory only while its last check against the database is under
``FRESH_SECONDS`` old; after that the next request looks the image up again. A deletion in any
process forgets the image (or every image of the environment) at once here when the
invalidation bus carries it (``imgwired.bus``: with Redis), else within that second.
Bounded by total bytes; the least recently used entries go first.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

FRESH_SECONDS = 1.0
MAX_ENTRY_BYTES = 1024 * 1024


@dataclass(slots=True)
class HotDelivery:
    organization_id: uuid.UUID
    environment_id: uuid.UUID
    content_type: str
    etag: str
    vary_accept: bool
    body: bytes
    checked_at: float


class HotRenditions:
    def __init__(self, *, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._entries: OrderedDict[tuple[uuid.UUID, str], HotDelivery] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, image_id: uuid.UUID, variant: str) -> HotDelivery | None:
        """A fresh entry, or None (missing, or due for a check against the database)."""
        with self._lock:
            entry = self._entries.get((image_id, variant))
            if entry is None or time.monotonic() - entry.checked_at > FRESH_SECONDS:
                return None
            self._entries.move_to_end((image_id, variant))
            return entry

    def put(self, image_id: uuid.UUID, variant: str, entry: HotDelivery) -> None:
        if len(entry.body) > MAX_ENTRY_BYTES or len(entry.body) > self._max_bytes:
            return
        with self._lock:
            old = self._entries.pop((image_id, variant), None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[(image_id, variant)] = entry
            self._bytes += len(entry.body)
            while self._bytes > self._max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def forget(self, image_ids: Iterable[uuid.UUID]) -> None:
        """Drop every entry of these images (they were deleted)."""
        doomed = set(image_ids)
        with self._lock:
            for key in [key for key in self._entries if key[0] in doomed]:
                self._bytes -= len(self._entries.pop(key).body)

    def forget_environment(self, environment_id: uuid.UUID) -> None:
        """Drop every entry of this environment (it was deleted)."""
        with self._lock:
            doomed = [
                k for k, entry in self._entries.items() if entry.environment_id == environment_id
            ]
            for key in doomed:
                self._bytes -= len(self._entries.pop(key).body)

    def clear(self) -> None:
        """Drop everything (deletions may have been missed: each entry is looked up again)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes
