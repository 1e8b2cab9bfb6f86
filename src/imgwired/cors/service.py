"""CORS origins and policy as resources: validate, store, and make every change take effect."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from imgwired.bus.base import InvalidationBus
from imgwired.bus.events import Invalidation
from imgwired.cors import repository as repo
from imgwired.cors.compile import policy_from_record
from imgwired.cors.decision import Decision, Preflight
from imgwired.cors.origins import parse_origin
from imgwired.cors.patterns import parse_pattern
from imgwired.cors.policy import CorsMode, CorsPolicy
from imgwired.cors.runtime import CorsRuntime
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, IntegrityError, Session
from imgwired.db.models import CorsOrigin, CorsPolicyRecord
from imgwired.errors import ConflictError, CorsOriginNotFoundError
from imgwired.pagination import Page, PageRequest

POLICY_FIELDS = (
    "allowed_methods",
    "allowed_headers",
    "expose_headers",
    "max_age",
    "allow_credentials",
    "allow_private_network",
    "mode",
)


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    policy: CorsPolicy
    updated_at: datetime | None  # None while the environment uses the defaults


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What the server would do for a browser request from ``origin``."""

    origin: str
    origin_is_valid: bool
    preflight_required: bool
    preflight: Decision
    request: Decision
    mode: CorsMode


class CorsOriginService:
    def __init__(
        self,
        database: Database,
        runtime: CorsRuntime,
        bus: InvalidationBus,
        *,
        max_per_environment: int,
    ) -> None:
        self._db = database
        self._runtime = runtime
        # Every change takes effect here before the call returns, and in every other process
        # as soon as the bus carries it.
        self._bus = bus
        self._max = max_per_environment

    # -- origins ----------------------------------------------------------------------------

    def list(self, environment_id: uuid.UUID, request: PageRequest) -> Page[CorsOrigin]:
        with self._db.reading() as session:
            return repo.list_origins(session, environment_id, request)

    def get(self, environment_id: uuid.UUID, origin_id: uuid.UUID) -> CorsOrigin:
        with self._db.reading() as session:
            return _require(session, environment_id, origin_id)

    def create(self, environment_id: uuid.UUID, raw_pattern: str) -> CorsOrigin:
        pattern = parse_pattern(raw_pattern).normalized
        try:
            with self._db.transaction() as session:
                if repo.count_origins(session, environment_id) >= self._max:
                    raise ConflictError(
                        f"This environment already has the maximum of {self._max} CORS origins"
                    )
                _check_free(session, environment_id, pattern, excluding=None)
                origin = CorsOrigin(environment_id=environment_id, pattern=pattern)
                session.add(origin)
                repo.bump_revision(session, environment_id)
        except IntegrityError as exc:  # a concurrent create of the same pattern won
            raise _duplicate(pattern) from exc
        self._bus.publish(Invalidation.cors(environment_id))
        return origin

    def update(
        self, environment_id: uuid.UUID, origin_id: uuid.UUID, raw_pattern: str
    ) -> CorsOrigin:
        pattern = parse_pattern(raw_pattern).normalized
        try:
            with self._db.transaction() as session:
                origin = _require(session, environment_id, origin_id)
                _check_free(session, environment_id, pattern, excluding=origin_id)
                origin.pattern = pattern
                origin.updated_at = utcnow()
                repo.bump_revision(session, environment_id)
        except IntegrityError as exc:
            raise _duplicate(pattern) from exc
        self._bus.publish(Invalidation.cors(environment_id))
        return origin

    def delete(self, environment_id: uuid.UUID, origin_id: uuid.UUID) -> CorsOrigin:
        with self._db.transaction() as session:
            origin = _require(session, environment_id, origin_id)
            remaining = repo.count_origins(session, environment_id) - 1
            policy = policy_from_record(repo.get_policy(session, environment_id))
            if remaining == 0 and policy.allow_credentials:
                raise ConflictError(
                    "This is the last CORS origin and the policy allows credentials; an empty "
                    "allowlist admits every origin, so turn allow_credentials off first"
                )
            session.delete(origin)
            repo.bump_revision(session, environment_id)
        self._bus.publish(Invalidation.cors(environment_id))
        return origin

    # -- policy -------------------------------------------------------------------------------

    def policy(self, environment_id: uuid.UUID) -> StoredPolicy:
        with self._db.reading() as session:
            record = repo.get_policy(session, environment_id)
            return StoredPolicy(policy_from_record(record), record.updated_at if record else None)

    def update_policy(self, environment_id: uuid.UUID, changes: Mapping[str, Any]) -> StoredPolicy:
        """Apply the fields present in ``changes``; every rule is checked on the result."""
        with self._db.transaction() as session:
            record = repo.get_policy(session, environment_id)
            current = policy_from_record(record)
            merged = {name: getattr(current, name) for name in POLICY_FIELDS}
            merged.update(
                {k: v for k, v in changes.items() if k in POLICY_FIELDS and v is not None}
            )
            for name in ("allowed_methods", "allowed_headers", "expose_headers"):
                merged[name] = tuple(merged[name])
            empty = repo.count_origins(session, environment_id) == 0
            policy = CorsPolicy(**merged).validated(allowlist_empty=empty)
            if record is None:
                record = CorsPolicyRecord(environment_id=environment_id)
                session.add(record)
            record.allowed_methods = list(policy.allowed_methods)
            record.allowed_headers = list(policy.allowed_headers)
            record.expose_headers = list(policy.expose_headers)
            record.max_age = policy.max_age
            record.allow_credentials = policy.allow_credentials
            record.allow_private_network = policy.allow_private_network
            record.mode = policy.mode.value
            record.updated_at = utcnow()
            repo.bump_revision(session, environment_id)
        self._bus.publish(Invalidation.cors(environment_id))
        return StoredPolicy(policy, record.updated_at)

    # -- diagnosis ---------------------------------------------------------------------------

    def evaluate(
        self, environment_id: uuid.UUID, origin: str, method: str, request_headers: Sequence[str]
    ) -> Evaluation:
        """Decide as the CORS layer would, for this environment, without recording anything."""
        cors = self._runtime.compiled(environment_id)
        parsed = parse_origin([origin])
        names = [h for h in request_headers if h.strip()]
        preflight = cors.preflight(
            Preflight(parsed, method, tuple(h.encode("latin-1", "replace") for h in names))
        )
        simple = method in ("GET", "HEAD", "POST") and all(
            h.strip().lower() in ("accept", "accept-language", "content-language") for h in names
        )
        return Evaluation(
            origin=origin,
            origin_is_valid=parsed is not None,
            preflight_required=not simple,
            preflight=preflight,
            request=cors.actual(parsed),
            mode=cors.policy.mode,
        )


def _require(session: Session, environment_id: uuid.UUID, origin_id: uuid.UUID) -> CorsOrigin:
    origin = repo.get_origin(session, environment_id, origin_id)
    if origin is None:
        raise CorsOriginNotFoundError(f"CORS origin {origin_id} was not found")
    return origin


def _check_free(
    session: Session, environment_id: uuid.UUID, pattern: str, *, excluding: uuid.UUID | None
) -> None:
    if repo.pattern_taken(session, environment_id, pattern, excluding=excluding):
        raise _duplicate(pattern)


def _duplicate(pattern: str) -> ConflictError:
    return ConflictError(f"The CORS origin {pattern!r} already exists in this environment")


__all__ = ["CorsOriginService", "Evaluation", "StoredPolicy"]
