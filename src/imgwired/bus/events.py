"""``Invalidation``: what changed, in a form every process can apply, and its wire form.

An event names what changed, never the new state: whoever applies it reads the database, so an
event that arrives late or twice does no harm.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass


class Topic(enum.StrEnum):
    CORS = "cors"
    """The CORS origins or policy of the environments named changed (or they were created)."""
    CUSTOM_DOMAINS = "custom_domains"
    """Some custom domain was created, tested or deleted: reload them all (one small table)."""
    IMAGES_DELETED = "images_deleted"
    """The images named were deleted: nothing of them may be served from memory."""
    ENVIRONMENT_DELETED = "environment_deleted"
    """The environments named were deleted: their deliveries, CORS and domains go."""


class MalformedEventError(ValueError):
    """A message on the channel that is not an event this version reads."""


@dataclass(frozen=True, slots=True)
class Invalidation:
    topic: Topic
    ids: tuple[uuid.UUID, ...] = ()

    @classmethod
    def cors(cls, environment_id: uuid.UUID) -> Invalidation:
        return cls(Topic.CORS, (environment_id,))

    @classmethod
    def custom_domains(cls) -> Invalidation:
        return cls(Topic.CUSTOM_DOMAINS)

    @classmethod
    def images_deleted(cls, image_ids: Iterable[uuid.UUID]) -> Invalidation:
        return cls(Topic.IMAGES_DELETED, tuple(image_ids))

    @classmethod
    def environment_deleted(cls, environment_id: uuid.UUID) -> Invalidation:
        return cls(Topic.ENVIRONMENT_DELETED, (environment_id,))


def encode(event: Invalidation, *, sender: str) -> str:
    """The event as one JSON message; ``sender`` lets the publishing process skip its own."""
    return json.dumps(
        {"sender": sender, "topic": event.topic.value, "ids": [str(i) for i in event.ids]}
    )


def decode(message: bytes | str) -> tuple[str, Invalidation]:
    """``(sender, event)`` of a message; raises ``MalformedEventError`` for anything else (a
    newer version's topic, a foreign publisher on the channel)."""
    try:
        body = json.loads(message)
        sender, topic, ids = body["sender"], Topic(body["topic"]), body["ids"]
        if not isinstance(sender, str) or not isinstance(ids, list):
            raise TypeError("sender must be a string and ids a list")
        return sender, Invalidation(topic, tuple(uuid.UUID(str(i)) for i in ids))
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedEventError(f"not an invalidation event: {str(message)[:120]!r}") from exc
