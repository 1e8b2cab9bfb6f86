"""Render leases: of the processes that want the same missing rendition at once, one renders it
and the others wait for it to be listed, so it is rendered once across every process.

Within a process the scheduler already joins identical renders; a lease does the same between
processes. ``RedisLeases`` (``imgwired.bus``) holds it in Redis when ``IMGWIRED_REDIS_URL`` is
set; ``DatabaseLeases`` holds it in a row of ``render_leases`` otherwise, which works for every
process on one database. A lease lapses by itself (its holder crashed), after longer than any
render may run, and the next process that asks takes it over.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Protocol

from imgwired.db.base import utcnow
from imgwired.db.engine import Database, IntegrityError
from imgwired.delivery import repository as repo


class RenderLeases(Protocol):
    """Who renders a rendition now; ``key`` names the rendition (``<image id>/<variant>``)."""

    @property
    def poll_seconds(self) -> float:
        """How often a process that waits looks for the rendition again."""

    def take(self, key: str, seconds: float) -> str | None:
        """A token when this process holds the lease now (for ``seconds``), else None."""

    def release(self, key: str, token: str) -> None:
        """Give the lease back, if ``token`` still holds it."""


class DatabaseLeases:
    poll_seconds = 0.1

    def __init__(self, database: Database) -> None:
        self._db = database

    def take(self, key: str, seconds: float) -> str | None:
        token = uuid.uuid4().hex
        now = utcnow()
        expires_at = now + timedelta(seconds=seconds)
        try:
            with self._db.transaction() as session:
                repo.add_render_lease(session, key, token, expires_at)
            return token
        except IntegrityError:
            pass  # held, or lapsed: only a lapsed one is taken over
        with self._db.transaction() as session:
            taken = repo.take_render_lease(session, key, token, now, expires_at)
        return token if taken else None

    def release(self, key: str, token: str) -> None:
        with self._db.transaction() as session:
            repo.release_render_lease(session, key, token)
