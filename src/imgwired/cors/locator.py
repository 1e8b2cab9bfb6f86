"""Which environment a URL belongs to, for requests that carry no key: CORS preflights.

A preflight to ``GET /images/{id}`` or to ``standard_upload?upload_token=`` names a resource, and
the resource names its environment, so that environment's policy decides rather than "any
environment that allows the origin". An image or token never moves, so what is found is cached
(bounded: the ids come from the caller); what is not found is not, and then the caller falls back.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict

from imgwired.accounts.secrets import hash_secret
from imgwired.db.engine import Database
from imgwired.images import repository as images_repo

MAX_REMEMBERED = 10_000
# Longer values cannot be a token this server issued; they are not worth a query.
_MAX_TOKEN_LENGTH = 256


class EnvironmentLocator:
    def __init__(self, database: Database, *, capacity: int = MAX_REMEMBERED) -> None:
        self._db = database
        self._capacity = capacity
        self._found: OrderedDict[tuple[str, object], uuid.UUID] = OrderedDict()
        self._lock = threading.Lock()

    def remembered_image(self, image_id: uuid.UUID) -> uuid.UUID | None:
        """From memory only (the event loop may call this); None when a query is needed."""
        return self._remembered("image", image_id)

    def remembered_upload_token(self, secret: str) -> uuid.UUID | None:
        """From memory only (the event loop may call this); None when a query is needed."""
        return self._remembered("token", hash_secret(secret))

    def _remembered(self, kind: str, value: object) -> uuid.UUID | None:
        with self._lock:
            found = self._found.get((kind, value))
            if found is not None:
                self._found.move_to_end((kind, value))
            return found

    def of_image(self, image_id: uuid.UUID) -> uuid.UUID | None:
        """The environment of an image, or None if there is no such image. May query."""
        found = self._remembered("image", image_id)
        if found is None:
            with self._db.reading() as session:
                found = images_repo.environment_of_image(session, image_id)
            self._remember("image", image_id, found)
        return found

    def of_upload_token(self, secret: str) -> uuid.UUID | None:
        """The environment an upload token was issued for, or None if it is unknown. May query."""
        if len(secret) > _MAX_TOKEN_LENGTH:
            return None
        hashed = hash_secret(secret)
        found = self._remembered("token", hashed)
        if found is None:
            with self._db.reading() as session:
                found = images_repo.environment_of_upload_token(session, hashed)
            self._remember("token", hashed, found)
        return found

    def _remember(self, kind: str, value: object, environment_id: uuid.UUID | None) -> None:
        if environment_id is None:
            return
        with self._lock:
            self._found[(kind, value)] = environment_id
            while len(self._found) > self._capacity:
                self._found.popitem(last=False)
