"""``RedisBus``: invalidations published on a Redis channel, applied by a subscriber thread.

Each process publishes what it changed and runs one thread subscribed to the install's channel
(``redis_client.channel_of``). Redis does not keep a message for a subscriber that is not
connected, so every (re)subscription — the first one included — is followed by a ``resync``
that re-reads everything: an event published while the connection was down, or before it
first came up, is not lost, only replaced by the re-read. A connection that drops (Redis
restarted, a network cut, an output buffer Redis found too full) is opened again, with a short
back-off, until ``close``.
"""

from __future__ import annotations

import logging
import threading
import uuid

import redis

from imgwired.bus.base import InvalidationBus
from imgwired.bus.events import Invalidation, MalformedEventError, decode, encode
from imgwired.bus.redis_client import channel_of

log = logging.getLogger("imgwired.bus")

# How long a read waits for a message before it looks whether it should stop.
_READ_SECONDS = 0.2
_FIRST_RETRY_SECONDS = 0.1
_MAX_RETRY_SECONDS = 2.0


class RedisBus(InvalidationBus):
    def __init__(self, client: redis.Redis) -> None:
        super().__init__()
        self._client = client
        self.channel = channel_of(client)
        # This process's events come back on the channel; they were applied when published.
        self._sender = uuid.uuid4().hex
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self.resyncs = 0

    @property
    def instant(self) -> bool:
        return True

    @property
    def listening(self) -> bool:
        """Whether the subscription is up now (events of others arrive within milliseconds)."""
        return self._listening.is_set()

    def wait_listening(self, timeout: float) -> bool:
        return self._listening.wait(timeout)

    def _send(self, event: Invalidation) -> None:
        self._client.publish(self.channel, encode(event, sender=self._sender))

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._listen, name="imgwired-bus", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._client.close()

    # -- the subscriber thread -------------------------------------------------------------

    def _listen(self) -> None:
        retry = _FIRST_RETRY_SECONDS
        warned = False
        while not self._stopping.is_set():
            subscriptions = self.resyncs
            try:
                self._subscribed()
            except (redis.RedisError, OSError) as exc:
                if self.resyncs != subscriptions:  # it was up: a new outage
                    retry, warned = _FIRST_RETRY_SECONDS, False
                # Once per outage: the retries go on quietly every few seconds.
                if not warned:
                    log.warning(
                        "invalidation channel unavailable (%s); retrying, and meanwhile other "
                        "processes' changes arrive by polling",
                        exc,
                    )
                    warned = True
                self._listening.clear()
                self._stopping.wait(retry)
                retry = min(retry * 2, _MAX_RETRY_SECONDS)

    def _subscribed(self) -> None:
        """Read the channel until stopped or the connection fails (which raises)."""
        pubsub = self._client.pubsub()  # type: ignore[no-untyped-call]  # untyped in redis-py
        try:
            pubsub.subscribe(self.channel)
            while not self._stopping.is_set():
                message = pubsub.get_message(timeout=_READ_SECONDS)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    # Up again (or for the first time): whatever happened meanwhile is re-read.
                    self._listening.set()
                    self._run_resync()
                elif message["type"] == "message":
                    self._receive(message["data"])
        finally:
            self._listening.clear()
            pubsub.close()

    def _receive(self, data: bytes | str) -> None:
        try:
            sender, event = decode(data)
        except MalformedEventError as exc:
            # Something else speaks on our channel: what it meant cannot be known, so re-read.
            log.warning("%s; re-reading everything", exc)
            self._run_resync()
            return
        if sender == self._sender or self._apply is None:
            return
        try:
            self._apply(event)
        except Exception:  # e.g. the database is briefly away: the poll repairs it
            log.exception("could not apply %s from another process", event.topic.value)

    def _run_resync(self) -> None:
        self.resyncs += 1
        if self._resync is None:
            return
        try:
            self._resync()
        except Exception:
            log.exception("could not re-read after subscribing; the polls will")
