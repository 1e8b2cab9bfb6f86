"""Streams use constant memory: 64 MiB pass through each backend with a small, fixed peak.

``tracemalloc`` counts every Python allocation in this process, which is why the S3 server runs
in a child process: moto holds whole uploads in memory.
"""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Iterator

import pytest

from imgwired.storage import BlobStore, FilesystemBlobStore

MIB = 1024 * 1024
TOTAL = 64 * MIB
CHUNK = random.Random(0).randbytes(64 * 1024)

# The S3 writer holds one 8 MiB part while it copies it out to send; the filesystem writer holds
# one buffered chunk. Reads hold one chunk each.
WRITE_BUDGET = {"filesystem": 2 * MIB, "s3": 24 * MIB}
READ_BUDGET = 4 * MIB


@pytest.fixture
def tracing() -> Iterator[None]:
    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    yield
    if started_here:
        tracemalloc.stop()


class PeakMemory:
    """The most memory allocated inside the ``with`` block beyond what was held on entry."""

    used = 0

    def __enter__(self) -> PeakMemory:
        self._held = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        return self

    def __exit__(self, *_: object) -> None:
        self.used = tracemalloc.get_traced_memory()[1] - self._held


def backend(store: BlobStore) -> str:
    return "filesystem" if isinstance(store, FilesystemBlobStore) else "s3"


@pytest.mark.usefixtures("tracing")
def test_a_64mib_write_stays_within_budget(blob_store: BlobStore) -> None:
    with PeakMemory() as peak, blob_store.writer("big") as writer:
        for _ in range(TOTAL // len(CHUNK)):
            writer.write(CHUNK)
        writer.commit()

    assert blob_store.size("big") == TOTAL
    assert peak.used < WRITE_BUDGET[backend(blob_store)], f"peak {peak.used / MIB:.1f} MiB"


@pytest.mark.usefixtures("tracing")
def test_a_64mib_read_stays_within_budget(blob_store: BlobStore) -> None:
    with blob_store.writer("big") as writer:
        for _ in range(TOTAL // len(CHUNK)):
            writer.write(CHUNK)
        writer.commit()

    with PeakMemory() as peak:
        total = sum(len(chunk) for chunk in blob_store.read_chunks("big", chunk_size=MIB))

    assert total == TOTAL
    assert peak.used < READ_BUDGET, f"peak {peak.used / MIB:.1f} MiB"
