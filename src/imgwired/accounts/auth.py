"""Who is calling: the admin token, a server key or a client key, and in which environment."""

from __future__ import annotations

import enum
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from imgwired.accounts import repository as repo
from imgwired.accounts.secrets import ADMIN_TOKEN_PREFIX, hash_secret, looks_like_secret
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, Session
from imgwired.db.models import ApiKey, ApiKeyType, SessionKind
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
    SessionExpiredError,
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


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live dashboard session: who signed in, and the environment it last chose (the key's
    own for a server-key session)."""

    id: uuid.UUID
    kind: SessionKind
    organization_id: uuid.UUID
    environment_id: uuid.UUID | None
    api_key: ApiKey | None
    expires_at: datetime

    def caller(self, environment_id: uuid.UUID | None) -> Caller:
        """The caller this session acts as in ``environment_id`` (None: none named yet).

        An admin session is the admin token; a server-key session is its key, which reaches
        its own environment only.
        """
        if self.api_key is None:
            return Caller(CallerKind.ADMIN, self.organization_id, environment_id)
        if environment_id is not None and environment_id != self.api_key.environment_id:
            raise EnvironmentMismatchError(
                "X-Environment-Id names another environment than the API key's own"
            )
        key = self.api_key
        return Caller(CallerKind.SERVER, self.organization_id, key.environment_id, key)


class Authenticator:
    def __init__(
        self,
        database: Database,
        *,
        configured_admin_token: str | None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = database
        self._configured_admin_token = configured_admin_token
        self._clock = clock

    def authenticate(
        self, authorization: str | None, environment_header: str | None, access: Access
    ) -> Caller:
        """Identify the caller from its headers and check it may perform an ``access`` operation."""
        secret = _bearer_secret(authorization)
        environment_id = _parse_environment_header(environment_header)
        caller = self.identify(secret, environment_id)
        _check_access(caller, access)
        return caller

    def identify(self, secret: str, environment_id: uuid.UUID | None = None) -> Caller:
        """Who holds ``secret`` (the admin token or an API key), acting in ``environment_id``."""
        if self._is_configured_admin_token(secret) or secret.startswith(ADMIN_TOKEN_PREFIX):
            return self._admin(secret, environment_id)
        return self._key_holder(secret, environment_id)

    def authenticate_session(
        self, session_secret: str, environment_header: str | None, access: Access
    ) -> Caller:
        """The caller a dashboard session cookie acts as, as its token or key would with the
        same ``X-Environment-Id``; checked for ``access`` like a bearer caller."""
        environment_id = _parse_environment_header(environment_header)
        signed_in = self.signed_in(session_secret)
        if signed_in.api_key is None and environment_id is not None:
            with self._db.reading() as session:
                if not repo.get_environment(session, signed_in.organization_id, environment_id):
                    raise EnvironmentNotFoundError(f"Environment {environment_id} was not found")
        caller = signed_in.caller(environment_id)
        _check_access(caller, access)
        return caller

    def signed_in(self, session_secret: str) -> SignedIn:
        """The live session ``session_secret`` names; checked on every use, so signing out,
        expiry and revoking the server key it was made with end it at once."""
        with self._db.reading() as session:
            found = repo.find_dashboard_session(session, hash_secret(session_secret))
            if found is None or found.expires_at <= self._clock():
                raise SessionExpiredError(
                    "The dashboard session has ended (signed out or expired); sign in again"
                )
            key = _session_key(session, found.api_key_id) if found.api_key_id else None
            if found.kind is SessionKind.SERVER and key is None:
                raise SessionExpiredError(
                    "The server key this dashboard session signed in with has been revoked"
                )
            return SignedIn(
                found.id,
                found.kind,
                found.organization_id,
                key.environment_id if key is not None else found.environment_id,
                key,
                found.expires_at,
            )

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


def _session_key(session: Session, key_id: uuid.UUID) -> ApiKey | None:
    """The server key of a session while it is live (not revoked, its environment not deleted)."""
    key = repo.find_api_key(session, key_id)
    if key is None or key.revoked_at is not None or key.environment.deleted_at is not None:
        return None
    return key


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
