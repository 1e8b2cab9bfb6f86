"""Who is calling: the admin token, a server key or a client key, and in which environment."""

from __future__ import annotations

import enum
import hmac
import uuid
from dataclasses import dataclass

from imgwired.accounts import repository as repo
from imgwired.accounts.secrets import ADMIN_TOKEN_PREFIX, hash_secret, looks_like_secret
from imgwired.db.engine import Database
from imgwired.db.models import ApiKey, ApiKeyType
from imgwired.errors import (
    AdminTokenRequiredError,
    ClientKeyNotAllowedError,
    EnvironmentMismatchError,
    EnvironmentNotFoundError,
    EnvironmentRequiredError,
    InvalidApiKeyError,
    InvalidInputError,
    MissingCredentialsError,
    NotInitializedError,
    RevokedApiKeyError,
)


class CallerKind(enum.StrEnum):
    ADMIN = "admin"
    SERVER = "server"
    CLIENT = "client"


class Access(enum.Enum):
    """What an operation needs from its caller."""

    ORGANIZATION_ADMIN = "the admin token"
    ENVIRONMENT_ADMIN = "the admin token and an X-Environment-Id header"
    SERVER = "a server key"
    SERVER_OR_CLIENT = "a server or client key"


@dataclass(frozen=True, slots=True)
class Caller:
    kind: CallerKind
    organization_id: uuid.UUID
    # None only for an admin caller that named no environment.
    environment_id: uuid.UUID | None
    api_key: ApiKey | None = None

    def environment(self) -> uuid.UUID:
        if self.environment_id is None:
            raise EnvironmentRequiredError(
                "The admin token needs an X-Environment-Id header naming the environment to act on"
            )
        return self.environment_id


class Authenticator:
    def __init__(self, database: Database, *, configured_admin_token: str | None) -> None:
        self._db = database
        self._configured_admin_token = configured_admin_token

    def authenticate(
        self, authorization: str | None, environment_header: str | None, access: Access
    ) -> Caller:
        """Identify the caller from its headers and check it may perform an ``access`` operation."""
        secret = _bearer_secret(authorization)
        environment_id = _parse_environment_header(environment_header)
        if self._is_configured_admin_token(secret) or secret.startswith(ADMIN_TOKEN_PREFIX):
            caller = self._admin(secret, environment_id)
        else:
            caller = self._key_holder(secret, environment_id)
        _check_access(caller, access)
        return caller

    def _is_configured_admin_token(self, secret: str) -> bool:
        configured = self._configured_admin_token
        return configured is not None and hmac.compare_digest(secret.encode(), configured.encode())

    def _admin(self, secret: str, environment_id: uuid.UUID | None) -> Caller:
        with self._db.reading() as session:
            organization = repo.get_organization(session)
            if organization is None:
                raise NotInitializedError("imgwired has not been initialised; run `imgwired init`")
            valid = self._is_configured_admin_token(secret) or hmac.compare_digest(
                hash_secret(secret), organization.admin_token_hash
            )
            if not valid:
                raise InvalidApiKeyError("The admin token is not valid")
            if environment_id is not None and not repo.get_environment(
                session, organization.id, environment_id
            ):
                raise EnvironmentNotFoundError(f"Environment {environment_id} was not found")
        return Caller(CallerKind.ADMIN, organization.id, environment_id)

    def _key_holder(self, secret: str, environment_id: uuid.UUID | None) -> Caller:
        if not looks_like_secret(secret):
            raise InvalidApiKeyError(
                "The API key is malformed; keys start with sk_ (server) or ck_ (client)"
            )
        with self._db.reading() as session:
            key = repo.find_api_key_by_hash(session, hash_secret(secret))
        if key is None:
            raise InvalidApiKeyError("The API key is not valid")
        if key.revoked_at is not None or key.environment.deleted_at is not None:
            raise RevokedApiKeyError("The API key has been revoked")
        if environment_id is not None and environment_id != key.environment_id:
            raise EnvironmentMismatchError(
                "X-Environment-Id names another environment than the API key's own"
            )
        kind = CallerKind.SERVER if key.key_type is ApiKeyType.SERVER else CallerKind.CLIENT
        return Caller(kind, key.environment.organization_id, key.environment_id, key)


def _bearer_secret(authorization: str | None) -> str:
    if not authorization:
        raise MissingCredentialsError(
            "Authentication is required; send an `Authorization: Bearer <key>` header"
        )
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or " " in secret:
        raise InvalidApiKeyError("The Authorization header must have the form `Bearer <key>`")
    return secret


def _parse_environment_header(value: str | None) -> uuid.UUID | None:
    if value is None or not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise InvalidInputError(
            f"X-Environment-Id must be an environment's UUID, not {value[:64]!r}",
            loc=("header", "X-Environment-Id"),
        ) from None


def _check_access(caller: Caller, access: Access) -> None:
    if access in (Access.ORGANIZATION_ADMIN, Access.ENVIRONMENT_ADMIN):
        if caller.kind is not CallerKind.ADMIN:
            raise AdminTokenRequiredError(
                f"This operation needs {access.value}; API keys cannot manage the install"
            )
    elif access is Access.SERVER and caller.kind is CallerKind.CLIENT:
        raise ClientKeyNotAllowedError(
            "This operation needs a server key; client keys can only create standard uploads "
            "and retrieve images"
        )
    if access is not Access.ORGANIZATION_ADMIN:
        caller.environment()
