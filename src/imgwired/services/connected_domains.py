"""The CONNECTED custom domains as requests see them: an in-memory snapshot, kept fresh.

Every request's Host header is looked up here on the event loop, and every ``cdn_url`` is built
from here, so reads never touch the database: the snapshot is replaced, never mutated, and a
reader takes no lock. Changes made in this process call ``refresh`` at once; other processes
reload about every second (``IMGWIRED_CUSTOM_DOMAIN_POLL_SECONDS``). A reload is one query over
a table with at most one row per environment, so it reloads everything instead of tracking
revisions.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from imgwired.db import custom_domain_repository as repo
from imgwired.db.engine import Database


@dataclass(frozen=True, slots=True)
class ConnectedDomain:
    hostname: str
    organization_id: uuid.UUID
    environment_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class DomainSnapshot:
    by_hostname: Mapping[str, ConnectedDomain]
    by_environment: Mapping[uuid.UUID, ConnectedDomain]

    @classmethod
    def of(cls, domains: Iterable[ConnectedDomain]) -> DomainSnapshot:
        listed = list(domains)
        return cls(
            MappingProxyType({d.hostname: d for d in listed}),
            MappingProxyType({d.environment_id: d for d in listed}),
        )


EMPTY = DomainSnapshot.of(())


class ConnectedDomains:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._snapshot = EMPTY
        # Serialises reloads, so one that read before a commit cannot replace one that read after.
        self._reload_lock = threading.Lock()

    def by_hostname(self, hostname: str) -> ConnectedDomain | None:
        """The connected domain named ``hostname`` (lowercase punycode, no dot); memory only."""
        return self._snapshot.by_hostname.get(hostname)

    def by_environment(self, environment_id: uuid.UUID) -> ConnectedDomain | None:
        """The environment's connected domain, if it has one; memory only."""
        return self._snapshot.by_environment.get(environment_id)

    def refresh(self) -> None:
        """Reload from the database (blocking: call from a worker thread)."""
        with self._reload_lock:
            with self._db.reading() as session:
                rows = repo.connected(session)
            self._snapshot = DomainSnapshot.of(
                ConnectedDomain(hostname, organization_id, environment_id)
                for hostname, organization_id, environment_id in rows
            )
