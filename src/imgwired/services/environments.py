"""Environments: the isolation unit. Every image, key and policy belongs to exactly one."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from imgwired.db import repositories as repo
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import Environment
from imgwired.errors import ConflictError, DefaultEnvironmentError, EnvironmentNotFoundError
from imgwired.pagination import Page, PageRequest
from imgwired.services.cors_runtime import CorsRuntime


class EnvironmentService:
    def __init__(self, database: Database, cors: CorsRuntime) -> None:
        self._db = database
        # Told of new and deleted environments, so browser requests see them at once.
        self._cors = cors

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
        try:
            with self._db.transaction() as session:
                _check_name_free(session, organization_id, name)
                environment = Environment(organization_id=organization_id, name=name, default=False)
                session.add(environment)
            self._cors.refresh(environment.id)
            return environment
        except IntegrityError as exc:  # a concurrent create won the name
            raise _name_taken(name) from exc

    def rename(
        self, organization_id: uuid.UUID, environment_id: uuid.UUID, *, name: str
    ) -> Environment:
        try:
            with self._db.transaction() as session:
                environment = _require(session, organization_id, environment_id)
                _check_name_free(session, organization_id, name, excluding=environment_id)
                environment.name = name
            return environment
        except IntegrityError as exc:
            raise _name_taken(name) from exc

    def delete(self, organization_id: uuid.UUID, environment_id: uuid.UUID) -> Environment:
        """Soft-delete an environment and revoke its keys; the default one cannot be deleted."""
        with self._db.transaction() as session:
            environment = _require(session, organization_id, environment_id)
            if environment.default:
                raise DefaultEnvironmentError(
                    "The default environment cannot be deleted; it holds the keys `init` created"
                )
            now = utcnow()
            environment.deleted_at = now
            repo.revoke_environment_keys(session, environment_id, now)
        self._cors.poll()
        return environment


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
