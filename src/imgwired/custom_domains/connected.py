"""The CONNECTED custom domains as requests see them: an in-memory snapshot, kept fresh.

Every request's Host header is looked up here on the event loop, and every ``cdn_url`` is built
from here, so reads never touch the database: the snapshot is replaced, never mutated, and a
reader takes no lock. A change calls ``refresh`` through the invalidation bus (``imgwired.bus``):
in the writing process at once, in the others at once with Redis; every process also reloads
about every second (``IMGWIRED_CUSTOM_DOMAIN_POLL_SECONDS``). A reload is one query over
a table with at most one row per environment, so it reloads everything instead of tracking
revisions.

A stored hostname that no longer parses to itself (an older version wrote it) is skipped: not
served, not given a certificate, not used in ``cdn_url``; logged once when it is first skipped,
and counted in ``skipped`` (shown in ``/metrics``). It never stops a reload of the others.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from imgwired.custom_domains import repository as repo
from imgwired.custom_domains.hostnames import parse_hostname
from imgwired.db.engine import Database
from imgwired.errors import InvalidHostnameError

log = logging.getLogger("imgwired.custom_domains")


@dataclass(frozen=True, slots=True)
class ConnectedDomain:
    hostname: str
    organization_id: uuid.UUID
    environment_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class DomainSnapshot:
    by_hostname: Mapping[str, ConnectedDomain]
    by_environment: Mapping[uuid.UUID, ConnectedDomain]
    # Connected in the database, but skipped: their stored hostname no longer parses.
    skipped: Mapping[uuid.UUID, str]

    @classmethod
    def of(
        cls, domains: Iterable[ConnectedDomain], skipped: Mapping[uuid.UUID, str] | None = None
    ) -> DomainSnapshot:
        listed = list(domains)
        return cls(
            MappingProxyType({d.hostname: d for d in listed}),
            MappingProxyType({d.environment_id: d for d in listed}),
            MappingProxyType(dict(skipped or {})),
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

    def skipped(self) -> Mapping[uuid.UUID, str]:
        """Environment -> stored hostname of the connected domains skipped as unparseable."""
        return self._snapshot.skipped

    def refresh(self) -> None:
        """Reload from the database (blocking: call from a worker thread)."""
        with self._reload_lock:
            with self._db.reading() as session:
                rows = repo.connected(session)
            served: list[ConnectedDomain] = []
            skipped: dict[uuid.UUID, str] = {}
            for hostname, organization_id, environment_id in rows:
                problem = stored_form_problem(hostname)
                if problem is None:
                    served.append(ConnectedDomain(hostname, organization_id, environment_id))
                    continue
                skipped[environment_id] = hostname
                # Reloads run every second: report a skipped row when it first appears.
                if self._snapshot.skipped.get(environment_id) != hostname:
                    log.warning(
                        "custom domain %r of environment %s is not served: %s; delete it and "
                        "create it again (%d connected custom domain(s) skipped)",
                        hostname,
                        environment_id,
                        problem,
                        len(skipped),
                    )
            self._snapshot = DomainSnapshot.of(served, skipped)


@lru_cache(maxsize=4096)
def stored_form_problem(hostname: str) -> str | None:
    """Why a stored hostname cannot be served as it is, or None if it parses to itself.

    Cached: the same few names are checked on every reload.
    """
    try:
        parsed = parse_hostname(hostname)
    except InvalidHostnameError as exc:
        return f"its stored hostname no longer parses ({exc.detail})"
    if parsed != hostname:
        return f"its stored hostname is not in its stored form {parsed!r}"
    return None
