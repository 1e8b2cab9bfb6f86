"""Dashboard sessions: the admin token or a server key, given once to the sign-in form, becomes
a random session secret that the browser keeps in a cookie.

Only the secret's sha256 is stored, so a copy of the database signs nobody in. Each use is
checked again (``Authenticator.signed_in``): signing out deletes the row, a session ends at
``expires_at``, and one made with a server key ends when the key is revoked.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from imgwired.accounts import repository as repo
from imgwired.accounts.auth import Authenticator, CallerKind, SignedIn
from imgwired.accounts.secrets import hash_secret
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import DashboardSession, SessionKind
from imgwired.errors import ClientKeyNotAllowedError, EnvironmentNotFoundError

# 32 random bytes, URL-safe: 256 bits, as the API keys.
_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just made: the secret for the cookie (shown nowhere else) and what it is."""

    secret: str
    session: SignedIn


class DashboardSessionService:
    def __init__(
        self,
        database: Database,
        auth: Authenticator,
        *,
        lifetime: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = database
        self._auth = auth
        self.lifetime = lifetime
        self._clock = clock

    def sign_in(self, token: str) -> NewSession:
        """A new session for the holder of ``token``: the admin token or a server key.

        Raises the error the Resource API would for a bad token; a client key is refused, as it
        is meant to be seen by browsers and so proves nobody is the install's operator.
        """
        caller = self._auth.identify(token.strip())
        if caller.kind is CallerKind.CLIENT:
            raise ClientKeyNotAllowedError(
                "A client key cannot sign in to the dashboard; use the admin token or a server key"
            )
        secret = secrets.token_urlsafe(_SECRET_BYTES)
        key = caller.api_key
        row = DashboardSession(
            secret_hash=hash_secret(secret),
            kind=SessionKind.ADMIN if key is None else SessionKind.SERVER,
            organization_id=caller.organization_id,
            api_key_id=None if key is None else key.id,
            environment_id=caller.environment_id,
            expires_at=self._clock() + self.lifetime,
        )
        with self._db.transaction() as session:
            session.add(row)
        return NewSession(secret, self._auth.signed_in(secret))

    def sign_out(self, secret: str) -> None:
        """End the session ``secret`` names, if any: its cookie is worth nothing afterwards."""
        with self._db.transaction() as session:
            repo.delete_dashboard_session(session, hash_secret(secret))

    def choose_environment(self, signed_in: SignedIn, environment_id: uuid.UUID) -> None:
        """Remember the environment an admin session works in; a server-key session has its
        key's and cannot choose another (``SignedIn.caller`` refuses it)."""
        signed_in.caller(environment_id)
        if signed_in.environment_id == environment_id:
            return
        with self._db.transaction() as session:
            if not repo.get_environment(session, signed_in.organization_id, environment_id):
                raise EnvironmentNotFoundError(f"Environment {environment_id} was not found")
            repo.set_dashboard_session_environment(session, signed_in.id, environment_id)

    def sweep_expired(self) -> None:
        """Delete the rows of expired sessions (they are refused whether or not they are kept)."""
        with self._db.transaction() as session:
            repo.delete_expired_dashboard_sessions(session, self._clock())
