"""One contract for every bucket store (memory, Redis): burst, refill, independence of keys,
atomicity; and the rate limiter over each store: per key vs per address, trusted proxies, an
environment's own limits."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

from imgwired.accounts.organization import Initialized
from imgwired.db.engine import Database
from imgwired.errors import RateLimitExceededError
from imgwired.ratelimits.buckets import BucketStore, Limit
from imgwired.ratelimits.client_ip import TrustedProxies
from imgwired.ratelimits.service import Limits, RateLimiter
from tests.ratelimits.conftest import Clock

FIVE_PER_SECOND = Limit(per_second=5, burst=10)


def admitted(buckets: BucketStore, key: str, limit: Limit, now: float, times: int) -> int:
    return sum(buckets.take(key, limit, now).admitted for _ in range(times))


def test_a_new_bucket_admits_its_burst_then_refuses(buckets: BucketStore, clock: Clock) -> None:
    verdicts = [buckets.take("k", FIVE_PER_SECOND, clock()) for _ in range(11)]
    assert [v.admitted for v in verdicts] == [True] * 10 + [False]
    assert [v.remaining for v in verdicts[:3]] == [9, 8, 7]
    refused = verdicts[-1]
    assert refused.remaining == 0
    assert refused.retry_after == pytest.approx(0.2)
    assert refused.full_after == pytest.approx(2.0)


def test_tokens_come_back_at_the_rate(buckets: BucketStore, clock: Clock) -> None:
    assert admitted(buckets, "k", FIVE_PER_SECOND, clock(), 10) == 10
    clock.advance(0.2)  # one token
    assert admitted(buckets, "k", FIVE_PER_SECOND, clock(), 3) == 1
    clock.advance(0.5)  # two and a half
    assert admitted(buckets, "k", FIVE_PER_SECOND, clock(), 3) == 2
    verdict = buckets.take("k", FIVE_PER_SECOND, clock())
    assert not verdict.admitted
    assert verdict.retry_after == pytest.approx(0.1)


def test_a_bucket_never_holds_more_than_its_burst(buckets: BucketStore, clock: Clock) -> None:
    assert admitted(buckets, "k", FIVE_PER_SECOND, clock(), 10) == 10
    clock.advance(3600)
    assert admitted(buckets, "k", FIVE_PER_SECOND, clock(), 20) == 10


def test_a_clock_that_goes_back_refills_nothing(buckets: BucketStore, clock: Clock) -> None:
    assert admitted(buckets, "k", FIVE_PER_SECOND, clock(), 10) == 10
    # Another process whose clock is behind this one's.
    assert admitted(buckets, "k", FIVE_PER_SECOND, clock() - 30, 2) == 0
    clock.advance(0.2)
    assert admitted(buckets, "k", FIVE_PER_SECOND, clock(), 2) == 1


@pytest.mark.parametrize(
    "key",
    ["a", "a ", "*", "key:with:colons", "{hash}tag", "ünïcödé ☃", "\x00nul", "x" * 1000, ""],
)
def test_every_key_is_a_bucket_of_its_own(buckets: BucketStore, clock: Clock, key: str) -> None:
    one = Limit(per_second=1, burst=1)
    assert buckets.take(key, one, clock()).admitted
    assert not buckets.take(key, one, clock()).admitted
    assert buckets.take(key + "-other", one, clock()).admitted
    assert buckets.take("a" if key != "a" else "b", one, clock()).admitted


def test_concurrent_takes_never_share_a_token(buckets: BucketStore, clock: Clock) -> None:
    limit = Limit(per_second=0.001, burst=25)
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def take_many() -> None:
        start.wait()
        for _ in range(10):
            outcome = buckets.take("shared", limit, clock()).admitted
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=take_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 80
    assert sum(results) == 25


# -- the rate limiter over each store -------------------------------------------------------


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()  # its pooled connections closed, not left to the garbage collector


@pytest.fixture
def environment_id(database: Database) -> uuid.UUID:
    from imgwired.accounts.api_keys import ApiKeyService
    from imgwired.accounts.organization import OrganizationService

    initialized: Initialized = OrganizationService(database, ApiKeyService(database)).initialize(
        environment_name="production"
    )
    return initialized.environment.id


def limiter(database: Database, buckets: BucketStore, clock: Clock, *proxies: str) -> RateLimiter:
    defaults = Limits(
        key=Limit(per_second=1, burst=3),
        ip=Limit(per_second=1, burst=2),
        render=Limit(per_second=1, burst=1),
    )
    return RateLimiter(database, defaults, buckets, proxies=TrustedProxies(proxies), clock=clock)


def admissions(admit: object, times: int) -> int:
    count = 0
    for _ in range(times):
        try:
            admit()  # type: ignore[operator]
        except RateLimitExceededError:
            continue
        count += 1
    return count


def test_keys_and_addresses_have_separate_buckets(
    database: Database, buckets: BucketStore, clock: Clock, environment_id: uuid.UUID
) -> None:
    limits = limiter(database, buckets, clock)
    key_a, key_b = uuid.uuid4(), uuid.uuid4()
    assert admissions(lambda: limits.admit_key(environment_id, key_a), 5) == 3
    assert admissions(lambda: limits.admit_key(environment_id, key_b), 5) == 3
    # An address's bucket is not a key's, nor a render's.
    assert admissions(lambda: limits.admit_client(environment_id, "192.0.2.1"), 5) == 2
    assert admissions(lambda: limits.admit_client(environment_id, "192.0.2.2"), 5) == 2
    assert admissions(lambda: limits.admit_render(environment_id, "192.0.2.1"), 5) == 1
    # Another environment's buckets are its own.
    elsewhere = uuid.uuid4()
    assert admissions(lambda: limits.admit_key(elsewhere, key_a), 5) == 3


def test_a_refusal_says_which_limit_and_when_to_retry(
    database: Database, buckets: BucketStore, clock: Clock, environment_id: uuid.UUID
) -> None:
    limits = limiter(database, buckets, clock)
    key = uuid.uuid4()
    for _ in range(3):
        limits.admit_key(environment_id, key)
    with pytest.raises(RateLimitExceededError) as refused:
        limits.admit_key(environment_id, key)
    error = refused.value
    assert (error.policy, error.quota, error.window, error.retry_after) == ("key", 3, 3, 1)
    clock.advance(1)
    assert limits.admit_key(environment_id, key) is not None


def test_only_a_trusted_proxy_names_the_client(
    database: Database, buckets: BucketStore, clock: Clock, environment_id: uuid.UUID
) -> None:
    limits = limiter(database, buckets, clock, "10.0.0.0/8")

    def from_(peer: str, *forwarded: str) -> object:
        client = limits.client_of(peer, list(forwarded))
        return lambda: limits.admit_client(environment_id, client)

    # Two clients behind the proxy get a bucket each; what they claim left of it is ignored.
    assert admissions(from_("10.0.0.5", "198.51.100.7"), 3) == 2
    assert admissions(from_("10.0.0.6", "1.1.1.1, 198.51.100.8, 10.0.0.9"), 3) == 2
    assert admissions(from_("10.0.0.5", "203.0.113.1, 198.51.100.7"), 1) == 0
    # A peer that is not a trusted proxy is the client, whatever it forwards.
    assert admissions(from_("192.0.2.50", "198.51.100.99"), 3) == 2
    assert admissions(from_("192.0.2.50", "198.51.100.100"), 1) == 0
    # IPv6 clients count by /64.
    assert admissions(from_("2001:db8:1:2::1"), 2) == 2
    assert admissions(from_("2001:db8:1:2:ffff::9"), 1) == 0


def test_an_environment_may_set_its_own_limits(
    database: Database, buckets: BucketStore, clock: Clock, environment_id: uuid.UUID
) -> None:
    limits = limiter(database, buckets, clock)
    key = uuid.uuid4()
    changed = limits.update(environment_id, {"key": Limit(per_second=1, burst=6)})
    assert changed.overridden == {"key"}
    assert admissions(lambda: limits.admit_key(environment_id, key), 10) == 6
    # Another process reads it from the database.
    other = limiter(database, buckets, clock)
    assert other.limits(environment_id).limits.key == Limit(1, 6)
    # Rate 0: no limit at all.
    limits.update(environment_id, {"ip": Limit(per_second=0, burst=1)})
    assert admissions(lambda: limits.admit_client(environment_id, "192.0.2.1"), 50) == 50
    # null: back to the default.
    limits.update(environment_id, {"key": None, "ip": None})
    assert limits.limits(environment_id).overridden == set()
    assert admissions(lambda: limits.admit_client(environment_id, "192.0.2.9"), 5) == 2
