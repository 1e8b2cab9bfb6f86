"""The install's one organization: created once by ``init`` with its first environment and keys."""

from __future__ import annotations

from dataclasses import dataclass

from imgwired.db import repositories as repo
from imgwired.db.base import uuid7
from imgwired.db.engine import Database
from imgwired.db.models import ApiKeyType, Environment, Organization
from imgwired.errors import ConflictError, NotInitializedError
from imgwired.services.api_keys import ApiKeyService, IssuedKey, NewApiKey
from imgwired.services.secrets import ADMIN_TOKEN_PREFIX, hash_secret, new_secret


@dataclass(frozen=True, slots=True)
class Initialized:
    """Everything ``init`` shows once: the secrets in here are not stored in plain text."""

    organization: Organization
    environment: Environment
    server_key: IssuedKey
    client_key: IssuedKey
    admin_token: str


class OrganizationService:
    def __init__(self, database: Database, api_keys: ApiKeyService) -> None:
        self._db = database
        self._api_keys = api_keys

    def get(self) -> Organization:
        with self._db.reading() as session:
            organization = repo.get_organization(session)
        if organization is None:
            raise NotInitializedError("imgwired has not been initialised; run `imgwired init`")
        return organization

    def is_initialized(self) -> bool:
        with self._db.reading() as session:
            return repo.get_organization(session) is not None

    def initialize(self, *, name: str = "imgwired", environment_name: str) -> Initialized:
        """Create the organization, a default environment, a server key and a client key."""
        admin_token = new_secret(ADMIN_TOKEN_PREFIX)
        with self._db.transaction() as session:
            if repo.get_organization(session) is not None:
                raise ConflictError(
                    "imgwired is already initialised; keys are shown only once, "
                    "so create new ones with `imgwired keys create`"
                )
            organization = Organization(
                id=uuid7(), name=name, admin_token_hash=hash_secret(admin_token)
            )
            environment = Environment(
                organization_id=organization.id, name=environment_name, default=True
            )
            session.add(organization)
            session.flush()
            session.add(environment)
            session.flush()
            server_key = self._api_keys.issue(
                session,
                environment,
                NewApiKey(name="Default server key", key_type=ApiKeyType.SERVER),
            )
            client_key = self._api_keys.issue(
                session,
                environment,
                NewApiKey(name="Default client key", key_type=ApiKeyType.CLIENT),
            )
        return Initialized(organization, environment, server_key, client_key, admin_token)
