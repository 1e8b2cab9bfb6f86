"""The behaviour every blob store promises, run against each backend."""

from __future__ import annotations

import gc
import hashlib
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from imgwired.storage import (
    BlobNotFoundError,
    BlobStore,
    InvalidBlobKeyError,
    StorageError,
)
from tests.storage.conftest import Unpublished

KIB = 1024
MIB = 1024 * KIB


def pattern(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


# -- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 20 * MIB], ids=["empty", "one-byte", "20MiB"])
def test_streamed_bytes_come_back_unchanged(blob_store: BlobStore, size: int) -> None:
    data = pattern(size)
    with blob_store.writer("env/img/original") as writer:
        for start in range(0, size, 64 * KIB):
            writer.write(data[start : start + 64 * KIB])
        assert writer.bytes_written == size
        writer.commit()

    assert blob_store.size("env/img/original") == size
    digest = hashlib.sha256()
    for chunk in blob_store.read_chunks("env/img/original"):
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_put_bytes_and_put_file_store_their_content(blob_store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(pattern(3 * MIB + 5, seed=1))

    blob_store.put_bytes("small", b"hello")
    blob_store.put_file("from/file", source)

    assert blob_store.read_bytes("small") == b"hello"
    assert blob_store.read_bytes("from/file") == source.read_bytes()


def test_put_file_of_a_missing_file_stores_nothing(
    blob_store: BlobStore, tmp_path: Path, unpublished: Unpublished
) -> None:
    with pytest.raises(StorageError):
        blob_store.put_file("k", tmp_path / "missing.bin")
    assert not blob_store.exists("k")
    assert unpublished() == []


def test_the_longest_valid_keys_work(blob_store: BlobStore) -> None:
    longest = "/".join(["a" * 128] * 3 + ["b" * 125])
    assert len(longest) == 512
    unusual = "A-Z_a.z/0-9.tar.gz"
    for key in (longest, unusual):
        blob_store.put_bytes(key, key.encode())
        assert blob_store.read_bytes(key) == key.encode()


# -- atomic publication --------------------------------------------------------------------------


def test_a_blob_is_invisible_until_committed(blob_store: BlobStore) -> None:
    writer = blob_store.writer("env/img/original")
    writer.write(pattern(9 * MIB))  # past one S3 part: the multipart upload is under way

    assert not blob_store.exists("env/img/original")
    with pytest.raises(BlobNotFoundError):
        blob_store.read_chunks("env/img/original")
    with pytest.raises(BlobNotFoundError):
        blob_store.size("env/img/original")
    assert list(blob_store.list_prefix("env/")) == []

    writer.commit()
    assert blob_store.size("env/img/original") == 9 * MIB


def test_an_existing_blob_is_replaced_only_on_commit(blob_store: BlobStore) -> None:
    blob_store.put_bytes("k", b"old content")
    with blob_store.writer("k") as writer:
        writer.write(pattern(9 * MIB))
        assert blob_store.read_bytes("k") == b"old content"
        writer.commit()
    assert blob_store.read_bytes("k") == pattern(9 * MIB)


def test_overwriting_with_fewer_bytes_leaves_no_trace_of_the_old(blob_store: BlobStore) -> None:
    blob_store.put_bytes("k", b"a much longer first version")
    blob_store.put_bytes("k", b"short")
    assert blob_store.read_bytes("k") == b"short"
    assert blob_store.size("k") == 5


# -- abort ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 9 * MIB], ids=["buffered", "multipart"])
def test_abort_leaves_nothing(blob_store: BlobStore, unpublished: Unpublished, size: int) -> None:
    writer = blob_store.writer("env/img/original")
    writer.write(pattern(size))
    writer.abort()
    writer.abort()  # idempotent

    assert not blob_store.exists("env/img/original")
    assert list(blob_store.list_prefix()) == []
    assert unpublished() == []


def test_abort_keeps_the_blob_that_was_there(blob_store: BlobStore) -> None:
    blob_store.put_bytes("k", b"kept")
    with blob_store.writer("k") as writer:
        writer.write(b"discarded")
        writer.abort()
    assert blob_store.read_bytes("k") == b"kept"


def test_an_exception_inside_the_with_block_aborts(
    blob_store: BlobStore, unpublished: Unpublished
) -> None:
    def upload_interrupted() -> None:
        with blob_store.writer("k") as writer:
            writer.write(pattern(9 * MIB))
            raise RuntimeError("client went away")

    with pytest.raises(RuntimeError, match="client went away"):
        upload_interrupted()
    assert not blob_store.exists("k")
    assert unpublished() == []


def test_leaving_the_with_block_without_commit_aborts(
    blob_store: BlobStore, unpublished: Unpublished
) -> None:
    with blob_store.writer("k") as writer:
        writer.write(b"never committed")
    assert not blob_store.exists("k")
    assert unpublished() == []


def test_abort_after_commit_changes_nothing(blob_store: BlobStore) -> None:
    with blob_store.writer("k") as writer:
        writer.write(b"published")
        writer.commit()
        writer.abort()
    assert blob_store.read_bytes("k") == b"published"


@pytest.mark.parametrize("finish", ["commit", "abort"])
def test_a_finished_writer_refuses_more_work(blob_store: BlobStore, finish: str) -> None:
    writer = blob_store.writer("k")
    getattr(writer, finish)()
    with pytest.raises(ValueError, match="already"):
        writer.write(b"late")
    with pytest.raises(ValueError, match="already"):
        writer.commit()


# -- writes a crash left unfinished ------------------------------------------------------------


def test_writes_a_crash_left_unfinished_are_discarded_once_old_enough(
    blob_store: BlobStore, unpublished: Unpublished
) -> None:
    blob_store.put_bytes("env/img/kept", b"published")
    # Left as a dead process leaves it: neither committed nor aborted. Past one S3 part, so
    # that S3 holds an unfinished multipart upload for it.
    left = blob_store.writer("env/img/original")
    left.write(pattern(9 * MIB))
    assert unpublished() != []

    assert blob_store.abort_abandoned_writes(timedelta(hours=1)) == 0  # it may still be alive
    assert unpublished() != []
    assert blob_store.abort_abandoned_writes(timedelta(0)) == 1
    assert unpublished() == []
    assert blob_store.abort_abandoned_writes(timedelta(0)) == 0
    assert list(blob_store.list_prefix()) == ["env/img/kept"]
    assert blob_store.read_bytes("env/img/kept") == b"published"
    left.abort()  # the dead writer's own handles are released; nothing else changes
    assert not blob_store.exists("env/img/original")


def test_finished_writes_are_never_discarded(
    blob_store: BlobStore, unpublished: Unpublished
) -> None:
    assert blob_store.abort_abandoned_writes(timedelta(0)) == 0  # an empty store
    with blob_store.writer("a/b") as writer:
        writer.write(pattern(9 * MIB))
        writer.commit()
    assert blob_store.abort_abandoned_writes(timedelta(0)) == 0
    assert blob_store.size("a/b") == 9 * MIB
    assert unpublished() == []


# -- inspecting and removing ---------------------------------------------------------------------

KEYS = [
    "env1/img1/original",
    "env1/img1/w100.webp",
    "env1/img10/original",
    "env2/img1/original",
    "top",
]


@pytest.fixture
def filled(blob_store: BlobStore) -> BlobStore:
    for key in KEYS:
        blob_store.put_bytes(key, key.encode())
    return blob_store


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", KEYS),
        ("env1/img1/", KEYS[:2]),
        ("env1/img1", KEYS[:3]),  # a prefix of characters, not of whole segments
        ("env1/", KEYS[:3]),
        ("env2/img1/original", KEYS[3:4]),
        ("to", KEYS[4:]),
        ("nothing/", []),
    ],
)
def test_list_prefix_names_the_keys_starting_with_it(
    filled: BlobStore, prefix: str, expected: list[str]
) -> None:
    assert sorted(filled.list_prefix(prefix)) == expected


def test_size_exists_and_delete(filled: BlobStore) -> None:
    assert filled.size("top") == 3
    assert filled.exists("top")
    assert not filled.exists("env1")  # a prefix is not a blob

    filled.delete("top")
    filled.delete("top")  # missing is fine

    assert not filled.exists("top")
    assert sorted(filled.list_prefix()) == KEYS[:4]


def test_delete_prefix_removes_exactly_the_matching_blobs(filled: BlobStore) -> None:
    assert filled.delete_prefix("env1/img1/") == 2
    assert filled.delete_prefix("env1/img1/") == 0
    assert filled.delete_prefix("missing/") == 0
    assert sorted(filled.list_prefix()) == ["env1/img10/original", "env2/img1/original", "top"]


def test_delete_prefix_refuses_the_empty_prefix(filled: BlobStore) -> None:
    with pytest.raises(InvalidBlobKeyError):
        filled.delete_prefix("")
    assert sorted(filled.list_prefix()) == KEYS


def test_missing_keys(blob_store: BlobStore) -> None:
    with pytest.raises(BlobNotFoundError, match="nope"):
        blob_store.read_chunks("nope")
    with pytest.raises(BlobNotFoundError):
        blob_store.size("nope")
    with pytest.raises(BlobNotFoundError), blob_store.local_path("nope"):
        pass
    assert not blob_store.exists("nope")
    blob_store.delete("nope")
    assert list(blob_store.list_prefix("nope")) == []


# -- reading -------------------------------------------------------------------------------------


def test_local_path_holds_the_blob(blob_store: BlobStore) -> None:
    data = pattern(2 * MIB + 1)
    blob_store.put_bytes("env/img/original.jpg", data)
    with blob_store.local_path("env/img/original.jpg") as path:
        assert path.read_bytes() == data
    assert blob_store.exists("env/img/original.jpg")


def test_read_chunks_streams_in_bounded_chunks(blob_store: BlobStore) -> None:
    data = pattern(2500)
    blob_store.put_bytes("k", data)
    chunks = list(blob_store.read_chunks("k", chunk_size=1000))
    assert all(0 < len(chunk) <= 1000 for chunk in chunks)
    assert len(chunks) >= 3
    assert b"".join(chunks) == data


def test_an_abandoned_read_releases_its_source(blob_store: BlobStore) -> None:
    # Warnings are errors here: a leaked file or connection would fail this test.
    blob_store.put_bytes("k", pattern(3 * MIB))
    closed = blob_store.read_chunks("k", chunk_size=MIB)
    assert len(next(closed)) <= MIB
    closed.close()
    never_started = blob_store.read_chunks("k")
    del never_started
    gc.collect()
    assert blob_store.read_bytes("k") == pattern(3 * MIB)


def test_an_abandoned_listing_releases_its_source(filled: BlobStore) -> None:
    listing = filled.list_prefix("env1/")
    assert next(listing).startswith("env1/")
    del listing
    gc.collect()


def test_chunk_size_must_be_positive(blob_store: BlobStore) -> None:
    blob_store.put_bytes("k", b"x")
    with pytest.raises(ValueError, match="chunk_size"):
        blob_store.read_chunks("k", chunk_size=0)


# -- hostile keys --------------------------------------------------------------------------------

HOSTILE_KEYS = [
    "",
    ".",
    "..",
    "../x",
    "a/../../x",
    "/etc/passwd",
    "a//b",
    "a/./b",
    "a/b/",
    "%2e%2e/x",
    "a\x00b",
    "a\\b",
    "..\\x",
    "C:/x",
    "~/x",
    "a b",
    "a\n",
    "ünïcode",
    "\uff11\uff12\uff13",  # fullwidth digits: digits to str.isdigit, not to the key rules
    ".hidden",
    "a/.tmp-123",
    "x" * 129,
    "/".join(["a" * 128] * 4) + "/b",  # 518 characters
]

OPERATIONS: dict[str, Callable[[BlobStore, str], object]] = {
    "writer": lambda store, key: store.writer(key),
    "put_bytes": lambda store, key: store.put_bytes(key, b"x"),
    "read_chunks": lambda store, key: store.read_chunks(key),
    "local_path": lambda store, key: store.local_path(key).__enter__(),
    "size": lambda store, key: store.size(key),
    "exists": lambda store, key: store.exists(key),
    "delete": lambda store, key: store.delete(key),
    "list_prefix": lambda store, key: store.list_prefix(key + "/"),
    "delete_prefix": lambda store, key: store.delete_prefix(key + "/"),
}


def test_hostile_keys_are_refused_before_any_io(
    blob_store: BlobStore, no_io: Callable[[], int]
) -> None:
    accepted = [
        (key, name)
        for key in HOSTILE_KEYS
        for name, operation in OPERATIONS.items()
        if not refuses(operation, blob_store, key)
    ]
    assert accepted == []
    assert no_io() == 0


def refuses(operation: Callable[[BlobStore, str], object], store: BlobStore, key: str) -> bool:
    try:
        operation(store, key)
    except InvalidBlobKeyError:
        return True
    return False


# -- probe ---------------------------------------------------------------------------------------


def test_a_probe_of_a_working_store_leaves_nothing_behind(
    blob_store: BlobStore, unpublished: Unpublished
) -> None:
    blob_store.put_bytes("env/img/original", b"kept")

    for _ in range(2):
        blob_store.probe()

    assert list(blob_store.list_prefix("")) == ["env/img/original"]
    assert unpublished() == []


def test_probes_at_once_do_not_disturb_each_other(blob_store: BlobStore) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: blob_store.probe(), range(8)))
    assert list(blob_store.list_prefix("")) == []


def test_a_probe_of_a_store_that_cannot_store_says_so(broken_store: BlobStore) -> None:
    with pytest.raises(StorageError, match="_probe/"):
        broken_store.probe()


# -- threads -------------------------------------------------------------------------------------


def test_one_store_serves_many_threads(blob_store: BlobStore) -> None:
    def round_trip(number: int) -> bytes:
        key = f"thread/{number}"
        with blob_store.writer(key) as writer:
            writer.write(pattern(100 * KIB, seed=number))
            writer.commit()
        return blob_store.read_bytes(key)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(round_trip, range(16)))
    assert results == [pattern(100 * KIB, seed=number) for number in range(16)]
