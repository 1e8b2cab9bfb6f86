"""Environments: the isolation unit. Every image, key and policy belongs to exactly one.

A deleted environment serves nothing from the moment its deletion commits: its keys are
revoked, and the lookups behind CDN and download URLs join the environment and find it
deleted. What it stored is removed afterwards by a job enqueued in the same transaction
(``purge``), as an image's delete enqueues the purge of its blobs.
"""

from __future__ import annotations

import uuid
from typing import Any

from imgwired.accounts import repository as repo
from imgwired.accounts.names import environment_name
from imgwired.blob_keys import environment_prefix
from imgwired.bus.base import InvalidationBus
from imgwired.bus.events import Invalidation
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, IntegrityError, Session
from imgwired.db.models import Environment
from imgwired.errors import ConflictError, DefaultEnvironmentError, EnvironmentNotFoundError
from imgwired.images import download_repository
from imgwired.jobs import queue
from imgwired.jobs.runner import JobRunner
from imgwired.metrics.repository import add_usage
from imgwired.metrics.usage import hour_of
from imgwired.pagination import Page, PageRequest
from imgwired.storage.base import BlobStore

PURGE_ENVIRONMENT_JOB = "purge_environment"
# Images are marked deleted in batches, so the purge never holds a long write transaction.
_PURGE_BATCH = 1000


class EnvironmentService:
    def __init__(
        self,
        database: Database,
        bus: InvalidationBus,
        *,
        blobs: BlobStore,
        jobs: JobRunner,
    ) -> None:
        self._db = database
        # Told of new and deleted environments, so every process's in-memory copies (CORS,
        # custom domains, deliveries) see them: this one at once, the others as the bus carries.
        self._bus = bus
        self._blobs = blobs
        self._jobs = jobs

    def list(self, organization_id: uuid.UUID, request: PageRequest) -> Page[Environment]:
        with self._db.reading() as session:
            query = repo.live_environments(organization_id).order_by(Environment.id.desc())
            return repo.paginate(session, query, request)

    def get(self, organization_id: uuid.UUID, environment_id: uuid.UUID) -> Environment:
        with self._db.reading() as session:
            return _require(session, organization_id, environment_id)

    def find(self, organization_id: uuid.UUID, reference: str | None) -> Environment:
        """The environment named or identified by ``reference``; the default one for None."""
        with self._db.reading() as session:
            for environment in session.scalars(repo.live_environments(organization_id)):
                if reference is None and environment.default:
                    return environment
                if reference is not None and reference in (str(environment.id), environment.name):
                    return environment
        raise EnvironmentNotFoundError(f"Environment {reference or '(default)'} was not found")

    def create(self, organization_id: uuid.UUID, *, name: str) -> Environment:
        name = environment_name(name)
        try:
            with self._db.transaction() as session:
                _check_name_free(session, organization_id, name)
                environment = Environment(organization_id=organization_id, name=name, default=False)
                session.add(environment)
            self._bus.publish(Invalidation.cors(environment.id))
            return environment
        except IntegrityError as exc:  # a concurrent create won the name
            raise _name_taken(name) from exc

    def rename(
        self, organization_id: uuid.UUID, environment_id: uuid.UUID, *, name: str
    ) -> Environment:
        name = environment_name(name)
        try:
            with self._db.transaction() as session:
                environment = _require(session, organization_id, environment_id)
                _check_name_free(session, organization_id, name, excluding=environment_id)
                environment.name = name
            return environment
        except IntegrityError as exc:
            raise _name_taken(name) from exc

    def delete(self, organization_id: uuid.UUID, environment_id: uuid.UUID) -> Environment:
        """Soft-delete an environment and revoke its keys; from then on nothing of it is served,
        and a job purges its blobs. The default environment cannot be deleted."""
        with self._db.transaction() as session:
            environment = _require(session, organization_id, environment_id)
            if environment.default:
                raise DefaultEnvironmentError(
                    "The default environment cannot be deleted; it holds the keys `init` created"
                )
            now = utcnow()
            environment.deleted_at = now
            repo.revoke_environment_keys(session, environment_id, now)
            queue.enqueue(session, PURGE_ENVIRONMENT_JOB, environment_id=str(environment_id))
        self._bus.publish(Invalidation.environment_deleted(environment_id))
        self._jobs.notify()
        return environment

    def purge(self, payload: dict[str, Any]) -> None:
        """The purge job of a deleted environment: its images count as deleted, its renditions
        and downloads are forgotten, then every blob under its prefix (originals, renditions,
        zips) is removed. Safe to run again after a crash."""
        environment_id = uuid.UUID(payload["environment_id"])
        with self._db.reading() as session:
            if repo.get_deleted_environment(session, environment_id) is None:
                return  # not deleted (never enqueued so): nothing may be purged
        while self._retire_images(environment_id):
            pass
        with self._db.transaction() as session:
            repo.forget_environment_renditions(session, environment_id)
            download_repository.retire_environment_downloads(session, environment_id, utcnow())
        self._blobs.delete_prefix(environment_prefix(environment_id))

    def _retire_images(self, environment_id: uuid.UUID) -> int:
        """Mark one batch of the environment's images deleted; returns how many were."""
        now = utcnow()
        with self._db.transaction() as session:
            count, stored = repo.retire_environment_images(
                session, environment_id, now, limit=_PURGE_BATCH
            )
            if stored:
                add_usage(session, environment_id, hour_of(now), {"storage_bytes_removed": stored})
        return count


def _require(
    session: Session, organization_id: uuid.UUID, environment_id: uuid.UUID
) -> Environment:
    environment = repo.get_environment(session, organization_id, environment_id)
    if environment is None:
        raise EnvironmentNotFoundError(f"Environment {environment_id} was not found")
    return environment


def _check_name_free(
    session: Session, organization_id: uuid.UUID, name: str, *, excluding: uuid.UUID | None = None
) -> None:
    if repo.environment_name_taken(session, organization_id, name, excluding=excluding):
        raise _name_taken(name)


def _name_taken(name: str) -> ConflictError:
    return ConflictError(f"An environment named {name!r} already exists")
