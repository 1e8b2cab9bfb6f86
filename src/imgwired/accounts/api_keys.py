"""API keys: issue, list, change and revoke the server and client keys of an environment."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from imgwired.accounts import repository as repo
from imgwired.accounts.names import key_name
from imgwired.accounts.secrets import (
    CLIENT_KEY_PREFIX,
    SERVER_KEY_PREFIX,
    hash_secret,
    new_secret,
)
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, Session
from imgwired.db.models import ApiKey, ApiKeyType, Environment
from imgwired.errors import ApiKeyNotFoundError, EnvironmentNotFoundError, InvalidInputError
from imgwired.media_types import SupportedMimeType
from imgwired.pagination import Page, PageRequest

MIN_UPLOAD_BYTES = 5120
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
DEFAULT_UPLOAD_BYTES = 50 * 1024 * 1024
MIN_PENDING_UPLOADS = 5
# What the database column holds (a signed 32-bit integer); far beyond any real cap.
MAX_PENDING_UPLOADS = 2**31 - 1
DEFAULT_PENDING_UPLOADS = 50
MAX_MIME_TYPES = 32
MAX_SCOPES = 64

CLIENT_SETTINGS = (
    "allow_unsigned_upload",
    "maximum_upload_bytes",
    "allowed_mime_types",
    "maximum_pending_uploads",
)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    name: str
    key_type: ApiKeyType
    scopes: Sequence[str] = ()
    # Client key settings; None takes the default. Refused on server keys.
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just created, with the one copy of its secret that will ever exist."""

    key: ApiKey
    secret: str


class ApiKeyService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def list(
        self, environment_id: uuid.UUID, key_type: ApiKeyType | None, request: PageRequest
    ) -> Page[ApiKey]:
        with self._db.reading() as session:
            return repo.list_api_keys(session, environment_id, key_type, request)

    def get(self, environment_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
        with self._db.reading() as session:
            return _require(session, environment_id, key_id)

    def create(self, environment_id: uuid.UUID, new: NewApiKey) -> IssuedKey:
        with self._db.transaction() as session:
            environment = session.get(Environment, environment_id)
            if environment is None or environment.deleted_at is not None:
                raise EnvironmentNotFoundError(f"Environment {environment_id} was not found")
            return self.issue(session, environment, new)

    def issue(self, session: Session, environment: Environment, new: NewApiKey) -> IssuedKey:
        """Create a key inside the caller's transaction."""
        if new.key_type is ApiKeyType.SERVER:
            _refuse_client_settings(new.settings, "server")
            settings: dict[str, Any] = dict.fromkeys(CLIENT_SETTINGS)
        else:
            settings = dict(_CLIENT_DEFAULTS)
            settings.update(_validated_settings(new.settings, keep_nulls=False))
        prefix = SERVER_KEY_PREFIX if new.key_type is ApiKeyType.SERVER else CLIENT_KEY_PREFIX
        secret = new_secret(prefix)
        key = ApiKey(
            environment=environment,
            name=key_name(new.name),
            key_type=new.key_type,
            secret_hash=hash_secret(secret),
            secret_last4=secret[-4:],
            scopes=_validated_scopes(new.scopes),
            **settings,
        )
        session.add(key)
        session.flush()
        return IssuedKey(key, secret)

    def update(
        self, environment_id: uuid.UUID, key_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> ApiKey:
        """Apply the fields present in ``changes``; a null client setting restores its default."""
        with self._db.transaction() as session:
            key = _require(session, environment_id, key_id)
            if changes.get("name") is not None:
                key.name = key_name(changes["name"])
            if changes.get("scopes") is not None:
                key.scopes = _validated_scopes(changes["scopes"])
            settings = {k: v for k, v in changes.items() if k in CLIENT_SETTINGS}
            if key.key_type is ApiKeyType.SERVER:
                _refuse_client_settings(settings, "server")
            else:
                for name, value in _validated_settings(settings, keep_nulls=True).items():
                    setattr(key, name, _CLIENT_DEFAULTS[name] if value is None else value)
            key.updated_at = utcnow()
        return key

    def revoke(self, environment_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
        """Revoke a live key of the environment; a key that is not one is explained: unknown,
        another environment's, or revoked already (and when). Only admins revoke, and they
        see every environment, so naming the other one reveals nothing."""
        with self._db.transaction() as session:
            key = repo.get_api_key(session, environment_id, key_id)
            if key is None:
                raise _not_revocable(session, environment_id, key_id)
            key.revoked_at = utcnow()
        return key


_CLIENT_DEFAULTS: dict[str, Any] = {
    "allow_unsigned_upload": False,
    "maximum_upload_bytes": DEFAULT_UPLOAD_BYTES,
    "allowed_mime_types": None,
    "maximum_pending_uploads": DEFAULT_PENDING_UPLOADS,
}


def _require(session: Session, environment_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    key = repo.get_api_key(session, environment_id, key_id)
    if key is None:
        raise ApiKeyNotFoundError(f"API key {key_id} was not found")
    return key


def _not_revocable(
    session: Session, environment_id: uuid.UUID, key_id: uuid.UUID
) -> ApiKeyNotFoundError:
    key = repo.find_api_key(session, key_id)
    environment = session.get(Environment, environment_id)
    here = f"environment {_label(environment) if environment else environment_id}"
    if key is None:
        return ApiKeyNotFoundError(f"API key {key_id} was not found in {here}")
    if key.environment_id != environment_id:
        owner = f"environment {_label(key.environment)}"
        if key.environment.deleted_at is not None:
            owner = f"deleted {owner}"
        return ApiKeyNotFoundError(f"API key {key_id} belongs to {owner}, not to {here}")
    assert key.revoked_at is not None  # in this environment, and not live
    when = key.revoked_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    return ApiKeyNotFoundError(f"API key {key_id} was already revoked at {when}")


def _label(environment: Environment) -> str:
    return f"{environment.name!r} ({environment.id})"


def _refuse_client_settings(settings: Mapping[str, Any], kind: str) -> None:
    for name in CLIENT_SETTINGS:
        if settings.get(name) is not None:
            raise InvalidInputError(
                f"{name} applies only to client keys, not {kind} keys", loc=("body", name)
            )


def _validated_settings(settings: Mapping[str, Any], *, keep_nulls: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in CLIENT_SETTINGS:
        if name not in settings or (settings[name] is None and not keep_nulls):
            continue
        value = settings[name]
        if name == "maximum_upload_bytes" and value is not None:
            if not MIN_UPLOAD_BYTES <= value <= MAX_UPLOAD_BYTES:
                bounds = f"{MIN_UPLOAD_BYTES} and {MAX_UPLOAD_BYTES}"
                raise InvalidInputError(
                    f"maximum_upload_bytes must be between {bounds}", loc=("body", name)
                )
        elif name == "maximum_pending_uploads" and value is not None:
            if not MIN_PENDING_UPLOADS <= value <= MAX_PENDING_UPLOADS:
                bounds = f"{MIN_PENDING_UPLOADS} and {MAX_PENDING_UPLOADS}"
                raise InvalidInputError(
                    f"maximum_pending_uploads must be between {bounds}", loc=("body", name)
                )
        elif name == "allowed_mime_types" and value is not None:
            value = _validated_mime_types(value)
        out[name] = value
    return out


def _validated_mime_types(values: Sequence[str]) -> list[str]:
    if not values:
        raise InvalidInputError(
            "allowed_mime_types must name at least one type, or be null to allow every type",
            loc=("body", "allowed_mime_types"),
        )
    if len(values) > MAX_MIME_TYPES:
        raise InvalidInputError(
            f"allowed_mime_types may name at most {MAX_MIME_TYPES} types",
            loc=("body", "allowed_mime_types"),
        )
    known = {member.value for member in SupportedMimeType}
    unknown = [value for value in values if value not in known]
    if unknown:
        raise InvalidInputError(
            f"allowed_mime_types has unsupported types {unknown}; supported: {sorted(known)}",
            loc=("body", "allowed_mime_types"),
        )
    return list(dict.fromkeys(values))


def _validated_scopes(scopes: Sequence[str]) -> list[str]:
    if len(scopes) > MAX_SCOPES:
        raise InvalidInputError(f"scopes may hold at most {MAX_SCOPES}", loc=("body", "scopes"))
    for scope in scopes:
        if not scope or len(scope) > 64 or not scope.isprintable() or " " in scope:
            raise InvalidInputError(
                f"scope {scope!r} must be 1 to 64 printable characters without spaces",
                loc=("body", "scopes"),
            )
    return list(dict.fromkeys(scopes))
