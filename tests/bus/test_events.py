"""The wire form of an invalidation: what one process writes, another reads back; anything else
on the channel is refused as malformed, never half-read."""

from __future__ import annotations

import uuid

import pytest

from imgwired.bus.events import Invalidation, MalformedEventError, decode, encode


@pytest.mark.parametrize(
    "event",
    [
        Invalidation.cors(uuid.uuid4()),
        Invalidation.custom_domains(),
        Invalidation.images_deleted([uuid.uuid4(), uuid.uuid4()]),
        Invalidation.environment_deleted(uuid.uuid4()),
    ],
)
def test_an_event_reads_back_as_written(event: Invalidation) -> None:
    assert decode(encode(event, sender="a1")) == ("a1", event)
    assert decode(encode(event, sender="a1").encode()) == ("a1", event)


@pytest.mark.parametrize(
    "message",
    [
        b"",
        b"\xff\xfe",
        "not json",
        "[]",
        "null",
        '{"topic": "cors", "ids": []}',
        '{"sender": "a", "topic": "flush_everything", "ids": []}',
        '{"sender": "a", "topic": "cors", "ids": ["not-a-uuid"]}',
        '{"sender": "a", "topic": "cors", "ids": "01a21d1a-7915-7cd4-90b7-51698b74f022"}',
        '{"sender": 7, "topic": "cors", "ids": []}',
        '{"sender": "a", "topic": ["cors"], "ids": []}',
        '{"sender": "a", "topic": "cors", "ids": [null]}',
    ],
)
def test_anything_else_is_malformed(message: str | bytes) -> None:
    with pytest.raises(MalformedEventError):
        decode(message)
