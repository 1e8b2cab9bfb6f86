"""The CORS configuration as requests see it: compiled per environment, cached in memory, kept
fresh, and the refusals it causes counted.

Reads never touch the database: the cache is a dict that is replaced, never mutated, so a
request thread reads it without a lock. A change is applied (``refresh``) through the
invalidation bus (``imgwired.bus``): in the writing process at once, in the others at once when
Redis carries it; every process also notices a ``cors_revision`` change on its next ``poll``
(every second), the only way without Redis and the safety net with it.
Compiling skips and reports stored rows that no longer compile (``cors_compile``).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import replace

from imgwired.cors import repository as repo
from imgwired.cors.compile import closed, try_compile_environment
from imgwired.cors.decision import Decision, EnvironmentCors, Preflight, first_allowed
from imgwired.cors.matcher import OriginIndex
from imgwired.cors.origins import Origin
from imgwired.cors.policy import CorsMode
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import CorsRejection
from imgwired.pagination import Page, PageRequest

# Distinct refused origins kept per environment; beyond it they are counted under one row, so a
# flood of made-up origins cannot grow the table without bound.
MAX_REJECTED_ORIGINS = 1000
OTHER_ORIGINS = "(other origins)"
_MAX_STORED_ORIGIN = 2048


# Decisions are cached per configuration snapshot: browsers repeat the same few preflights, and
# a hit costs one dict lookup. Keys carry attacker-chosen values, so the cache is bounded.
MAX_CACHED_DECISIONS = 4096


class CorsSnapshot:
    """One immutable view of every environment's CORS configuration, with its indexes."""

    __slots__ = ("by_origin", "decisions", "environments", "listening", "refusing", "revisions")

    def __init__(
        self, environments: dict[uuid.UUID, EnvironmentCors], revisions: dict[uuid.UUID, int]
    ) -> None:
        self.environments = environments
        self.revisions = revisions
        self.by_origin: OriginIndex[EnvironmentCors] = OriginIndex()
        # Environments that may let any origin through a preflight whose environment is unknown:
        # an empty allowlist admits everyone, and report-only serves what it refuses.
        self.listening: list[EnvironmentCors] = []
        self.refusing: list[uuid.UUID] = []
        for cors in environments.values():
            for pattern in cors.patterns:
                self.by_origin.add(pattern, cors)
            if cors.allows_any_origin or cors.policy.mode is CorsMode.REPORT_ONLY:
                self.listening.append(cors)
            if not cors.allows_any_origin:
                self.refusing.append(cors.environment_id)
        self.decisions: dict[tuple[object, ...], Decision] = {}

    def candidates(self, origin: Origin | None) -> list[EnvironmentCors]:
        """The environments that could allow a request from ``origin``, without asking all."""
        if origin is None:
            return self.listening
        found = self.by_origin.owners(origin)
        return found + [cors for cors in self.listening if cors not in found]

    def preflight_anywhere(self, request: Preflight) -> Decision:
        """Uncached: the first candidate environment that allows the preflight decides."""
        return first_allowed(env.preflight(request) for env in self.candidates(request.origin))

    def remember(self, key: tuple[object, ...], decision: Decision) -> Decision:
        if len(self.decisions) >= MAX_CACHED_DECISIONS:
            self.decisions.clear()
        self.decisions[key] = decision
        return decision


class CorsRuntime:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._snapshot = CorsSnapshot({}, {})
        self._write_lock = threading.Lock()
        self._pending: dict[tuple[uuid.UUID, str, str], repo.RejectionCount] = {}
        self._pending_lock = threading.Lock()
        self._flush_lock = threading.Lock()

    # -- configuration ---------------------------------------------------------------------

    def environment(self, environment_id: uuid.UUID) -> EnvironmentCors | None:
        """The cached configuration, or None if this process has not compiled it yet."""
        return self._snapshot.environments.get(environment_id)

    def compiled(self, environment_id: uuid.UUID) -> EnvironmentCors:
        """The configuration of an environment known to exist, compiled now if need be.

        This may read the database: call it from a worker thread, not the event loop.
        """
        cors = self._snapshot.environments.get(environment_id)
        if cors is None:
            self.refresh(environment_id)
            cors = self._snapshot.environments[environment_id]
        return cors

    def environments(self) -> Sequence[EnvironmentCors]:
        return tuple(self._snapshot.environments.values())

    def load_all(self) -> None:
        """Compile every environment from the database (at start-up)."""
        self.poll(force=True)

    def poll(self, *, force: bool = False) -> None:
        """Reload environments whose revision changed since the last look.

        A stored row that does not compile is skipped for its environment; an environment that
        cannot be compiled at all keeps what it had (or admits no origin) and is retried on the
        next poll. Neither stops the other environments, nor a start.
        """
        with self._db.reading() as session:
            current = repo.revisions(session)
            previous = self._snapshot.environments
            known = self._snapshot.revisions
            stale = [e for e, rev in current.items() if force or known.get(e) != rev]
            compiled = {
                env: try_compile_environment(session, env, previous.get(env)) for env in stale
            }
        with self._write_lock:
            environments = {
                env: cors
                for env, cors in self._snapshot.environments.items()
                if env in current and compiled.get(env) is None
            }
            failed = {env for env, cors in compiled.items() if cors is None}
            for env in failed:
                environments.setdefault(env, closed(env))
            environments.update({env: cors for env, cors in compiled.items() if cors is not None})
            # A failed environment's revision is not recorded, so the next poll tries again.
            revisions = {env: rev for env, rev in current.items() if env not in failed}
            self._snapshot = CorsSnapshot(environments, revisions)

    def refresh(self, environment_id: uuid.UUID) -> None:
        """Recompile one environment now: called by this process right after it writes."""
        with self._db.reading() as session:
            previous = self._snapshot.environments.get(environment_id)
            compiled = try_compile_environment(session, environment_id, previous)
            revision = repo.revisions(session).get(environment_id, 0)
        with self._write_lock:
            snapshot = self._snapshot
            revisions = dict(snapshot.revisions)
            if compiled is None:
                compiled = snapshot.environments.get(environment_id) or closed(environment_id)
                revisions.pop(environment_id, None)  # the next poll tries again
            else:
                revisions[environment_id] = revision
            self._snapshot = CorsSnapshot(
                {**snapshot.environments, environment_id: compiled}, revisions
            )

    def skipped_patterns(self) -> dict[uuid.UUID, int]:
        """Per environment, how many stored patterns are skipped because they do not compile."""
        environments = self._snapshot.environments
        return {env: cors.skipped for env, cors in environments.items() if cors.skipped}

    # -- decisions ---------------------------------------------------------------------------

    def preflight_for(self, environment_id: uuid.UUID | None, request: Preflight) -> Decision:
        """Decide a preflight for a known environment, or for whichever environment allows it.

        Only memory is read, so the event loop may call this.
        """
        snapshot = self._snapshot
        origin = request.origin
        key = (
            environment_id,
            origin.serialized if origin else None,
            request.method,
            tuple(request.request_headers),
            request.private_network,
        )
        cached = snapshot.decisions.get(key)
        if cached is not None:
            return cached
        cors = snapshot.environments.get(environment_id) if environment_id else None
        if cors is not None:
            return snapshot.remember(key, cors.preflight(request))
        return snapshot.remember(key, snapshot.preflight_anywhere(request))

    def actual_for(self, environment_id: uuid.UUID | None, origin: Origin | None) -> Decision:
        """Decide an actual request from memory alone."""
        snapshot = self._snapshot
        cors = snapshot.environments.get(environment_id) if environment_id else None
        if cors is not None:
            return cors.actual(origin)
        return first_allowed(env.actual(origin) for env in snapshot.candidates(origin))

    # -- rejections --------------------------------------------------------------------------

    def enforce(
        self, environment_id: uuid.UUID | None, endpoint: str, origin: str, decision: Decision
    ) -> bool:
        """Count ``decision`` if it refuses; True when the request is to be refused outright.

        A refusal in report-only mode is counted but lets the request through. Preflights,
        upload URLs and authenticated client requests all decide through here.
        """
        if decision.allowed:
            return False
        self.record_rejection(environment_id, endpoint, origin, decision.reason)
        return not decision.reported

    def record_rejection(
        self, environment_id: uuid.UUID | None, endpoint: str, origin: str, reason: str
    ) -> None:
        """Count a refusal; with no known environment, every environment that refused counts it."""
        targets = [environment_id] if environment_id else self._snapshot.refusing
        now = utcnow()
        origin = origin[:_MAX_STORED_ORIGIN]
        with self._pending_lock:
            for target in targets:
                key = (target, endpoint, origin)
                seen = self._pending.get(key)
                if seen is None:
                    seen = repo.RejectionCount(target, endpoint, origin, reason, 0, now, now)
                self._pending[key] = replace(
                    seen, count=seen.count + 1, last_seen_at=now, reason=reason
                )

    def flush_rejections(self) -> None:
        """Write the counted refusals. Held across the write, so a reader that flushes first
        sees every refusal counted before it asked; counts whose write fails are kept.
        """
        with self._flush_lock:
            with self._pending_lock:
                pending, self._pending = list(self._pending.values()), {}
            if not pending:
                return
            try:
                self._write_rejections(pending)
            except Exception:
                self._restore(pending)
                raise

    def _restore(self, counts: list[repo.RejectionCount]) -> None:
        with self._pending_lock:
            for item in counts:
                key = (item.environment_id, item.endpoint, item.origin)
                newer = self._pending.get(key)
                if newer is not None:
                    item = replace(
                        newer, count=newer.count + item.count, first_seen_at=item.first_seen_at
                    )
                self._pending[key] = item

    def _write_rejections(self, pending: list[repo.RejectionCount]) -> None:
        with self._db.transaction() as session:
            full: dict[uuid.UUID, bool] = {}
            for item in pending:
                if item.environment_id not in full:
                    count = repo.rejected_origin_count(session, item.environment_id)
                    full[item.environment_id] = count >= MAX_REJECTED_ORIGINS
            items = [
                replace(item, origin=OTHER_ORIGINS) if full[item.environment_id] else item
                for item in pending
                if item.environment_id in self._snapshot.environments
            ]
            repo.add_rejections(session, items)

    def rejections(self, environment_id: uuid.UUID, request: PageRequest) -> Page[CorsRejection]:
        self.flush_rejections()
        with self._db.reading() as session:
            return repo.list_rejections(session, environment_id, request)
