"""The install's one organization: created once by ``init`` with its first environment and keys."""

from __future__ import annotations

from dataclasses import dataclass

from imgwired.accounts import repository as repo
from imgwired.accounts.api_keys import ApiKeyService, IssuedKey, NewApiKey
from imgwired.accounts.names import environment_name as valid_environment_name
from imgwired.accounts.secrets import ADMIN_TOKEN_PREFIX, hash_secret, new_secret
from imgwired.db.base import uuid7
from imgwired.db.engine import Database
from imgwired.db.models import ApiKeyType, Environment, Organization
from imgwired.errors import ConflictError, NotInitializedError
from imgwired.signing import new_signing_secret


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
        self._signing_secret = ""
        self._organization: Organization | None = None

    def get(self) -> Organization:
        """The organization; it never changes once created, so it is read once per process."""
        if self._organization is not None:
            return self._organization
        with self._db.reading() as session:
            organization = repo.get_organization(session)
        if organization is None:
            raise NotInitializedError("imgwired has not been initialised; run `imgwired init`")
        self._organization = organization
        return organization

    def signing_secret(self) -> str:
        """The install's URL-signing secret, created on first use for installs that predate it."""
        if self._signing_secret:
            return self._signing_secret
        organization = self.get()
        with self._db.transaction() as session:
            stored = session.get(Organization, organization.id)
            assert stored is not None
            if not stored.signing_secret:
                stored.signing_secret = new_signing_secret()
            self._signing_secret = stored.signing_secret
        return self._signing_secret

    def is_initialized(self) -> bool:
        with self._db.reading() as session:
            return repo.get_organization(session) is not None

    def initialize(self, *, name: str = "imgwired", environment_name: str) -> Initialized:
        """Create the organization, a default environment, a server key and a client key."""
        environment_name = valid_environment_name(environment_name)
        admin_token = new_secret(ADMIN_TOKEN_PREFIX)
        with self._db.transaction() as session:
            if repo.get_organization(session) is not None:
                raise ConflictError(
                    "imgwired is already initialised; keys are shown only once, "
                    "so create new ones with `imgwired keys create`"
                )
            organization = Organization(
                id=uuid7(),
                name=name,
                admin_token_hash=hash_secret(admin_token),
                signing_secret=new_signing_secret(),
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
