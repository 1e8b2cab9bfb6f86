"""fetch enforces the size cap while streaming and one wall-clock deadline across everything."""

from __future__ import annotations

import time

import pytest

from imgwired.ingest import FetchTimeoutError, FetchTooLargeError, fetch
from tests.ingest.helpers import (
    LOOPBACK_ONLY,
    Chunks,
    Handler,
    LoopbackServer,
    Route,
    body,
    chunked,
    drip,
    redirect,
    stall,
)

CAP = 10_000


def announce_large_body(handler: Handler) -> None:
    """Claim a body far over the cap, but send only a little of it."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(50 * CAP))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(b"x" * 100)


def test_a_declared_length_over_the_cap_is_refused_before_reading(server: LoopbackServer) -> None:
    server.routes["/big"] = announce_large_body
    sink = Chunks()
    with pytest.raises(FetchTooLargeError, match=f"the body is {50 * CAP} bytes; the limit is"):
        fetch(server.url("/big"), sink, max_bytes=CAP, allowed_networks=LOOPBACK_ONLY)
    assert sink == []


@pytest.mark.parametrize("chunk_size", [1, 1000, 4096, 65536])
def test_a_chunked_body_over_the_cap_is_cut_off(server: LoopbackServer, chunk_size: int) -> None:
    server.routes["/chunked"] = chunked(b"y" * chunk_size, count=(3 * CAP) // chunk_size + 1)
    sink = Chunks()
    with pytest.raises(FetchTooLargeError, match=f"larger than the limit of {CAP} bytes"):
        fetch(server.url("/chunked"), sink, max_bytes=CAP, allowed_networks=LOOPBACK_ONLY)
    assert sink.size <= CAP  # the chunk that would cross the cap is never handed over


@pytest.mark.parametrize(
    "route", [body(b"z" * CAP), chunked(b"z" * 1000, count=CAP // 1000)], ids=["length", "chunked"]
)
def test_a_body_of_exactly_the_cap_is_accepted(server: LoopbackServer, route: Route) -> None:
    server.routes["/exact"] = route
    sink = Chunks()
    result = fetch(server.url("/exact"), sink, max_bytes=CAP, allowed_networks=LOOPBACK_ONLY)
    assert result.size == sink.size == CAP


def test_a_slow_drip_is_cut_off_at_the_total_timeout(server: LoopbackServer) -> None:
    server.routes["/drip"] = drip(interval=0.02)  # every read succeeds well within read_timeout
    sink = Chunks()
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"took longer than 0\.5 s"):
        fetch(
            server.url("/drip"),
            sink,
            read_timeout=5,
            total_timeout=0.5,
            allowed_networks=LOOPBACK_ONLY,
        )
    assert 0.5 <= time.monotonic() - started < 1.5
    assert 0 < sink.size < 100


def test_a_blocked_read_ends_at_the_total_timeout_not_the_read_timeout(
    server: LoopbackServer,
) -> None:
    server.routes["/stall"] = stall
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"took longer than 0\.5 s"):
        fetch(
            server.url("/stall"),
            Chunks(),
            read_timeout=10,
            total_timeout=0.5,
            allowed_networks=LOOPBACK_ONLY,
        )
    assert time.monotonic() - started < 1.5


def test_the_read_timeout_applies_to_each_read(server: LoopbackServer) -> None:
    server.routes["/stall"] = stall
    with pytest.raises(FetchTimeoutError, match=r"^timed out waiting for 127\.0\.0\.1$"):
        fetch(server.url("/stall"), Chunks(), read_timeout=0.2, allowed_networks=LOOPBACK_ONLY)


def test_the_total_timeout_spans_redirects(server: LoopbackServer) -> None:
    server.routes["/first"] = redirect("/stall")
    server.routes["/stall"] = stall
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError):
        fetch(
            server.url("/first"),
            Chunks(),
            read_timeout=10,
            total_timeout=0.4,
            allowed_networks=LOOPBACK_ONLY,
        )
    assert time.monotonic() - started < 1.5
    assert [r.path for r in server.requests] == ["/first", "/stall"]
