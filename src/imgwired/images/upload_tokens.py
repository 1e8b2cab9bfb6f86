"""Upload tokens: a server key issues one; a client key spends it on one standard upload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from imgwired.accounts.secrets import hash_secret, new_secret
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, Session
from imgwired.db.models import UploadToken
from imgwired.errors import UploadTokenError
from imgwired.images import repository as repo

TOKEN_PREFIX = "ut_"  # noqa: S105 (a prefix, not a secret)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: UploadToken
    secret: str


class UploadTokenService:
    def __init__(self, database: Database, *, lifetime_seconds: int) -> None:
        self._db = database
        self._lifetime = timedelta(seconds=lifetime_seconds)

    def issue(self, environment_id: uuid.UUID) -> IssuedToken:
        secret = new_secret(TOKEN_PREFIX)
        with self._db.transaction() as session:
            token = UploadToken(
                environment_id=environment_id,
                secret_hash=hash_secret(secret),
                expires_at=utcnow() + self._lifetime,
            )
            session.add(token)
        return IssuedToken(token, secret)


def spend(session: Session, environment_id: uuid.UUID, secret: str | None) -> UploadToken:
    """Use a token up inside the caller's transaction; exactly one concurrent caller wins.

    Raises UploadTokenError saying whether the token is missing, unknown, foreign, expired or used.
    """
    if not secret:
        raise UploadTokenError(
            "This client key requires signed uploads: pass ?upload_token= from your backend"
        )
    token = repo.upload_token_by_hash(session, hash_secret(secret))
    if token is None:
        raise UploadTokenError("The upload token is not valid")
    if token.environment_id != environment_id:
        raise UploadTokenError("The upload token belongs to another environment")
    now = utcnow()
    if token.expires_at <= now:
        raise UploadTokenError("The upload token has expired; request a new one")
    if not repo.mark_upload_token_used(session, token.id, now):
        raise UploadTokenError("The upload token has already been used")
    return token
