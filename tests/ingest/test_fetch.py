"""fetch: refuses forbidden hosts before connecting, pins the connection, streams the body."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from ipaddress import ip_address, ip_network
from typing import Any, ClassVar

import httpcore
import pytest

from imgwired.ingest import (
    FetchFailedError,
    ForbiddenAddressError,
    IPAddress,
    fetch,
    pinning,
    system_resolver,
)
from tests.ingest.helpers import (
    LOOPBACK_ONLY,
    Chunks,
    LoopbackServer,
    StubResolver,
    body,
    closed_port,
    respond,
)

IMAGE = bytes(range(256)) * 1024  # 256 KiB: several network reads


def test_streams_the_body_to_the_sink(server: LoopbackServer, dialed: list[Any]) -> None:
    server.routes["/cat.png"] = body(IMAGE, content_type="image/png")
    resolver = StubResolver({"images.example": ["127.0.0.1"]})
    sink = Chunks()

    result = fetch(
        server.url("/cat.png?size=large", host="images.example"),
        sink,
        allowed_networks=LOOPBACK_ONLY,
        resolver=resolver,
    )

    assert b"".join(sink) == IMAGE
    assert len(sink) > 1
    assert result.status == 200
    assert result.content_type == "image/png"
    assert result.size == len(IMAGE)
    assert result.redirects == 0
    assert result.final_url == f"http://images.example:{server.port}/cat.png?size=large"
    assert resolver.calls == [("images.example", server.port)]
    assert dialed == [("127.0.0.1", server.port)]
    [seen] = server.requests
    assert seen.path == "/cat.png?size=large"
    assert seen.headers["host"] == f"images.example:{server.port}"
    assert seen.headers["user-agent"] == "imgwired/0.1"
    assert seen.headers["accept-encoding"] == "identity"


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1",
        "2130706433",
        "0177.0.0.1",
        "0x7f000001",
        "0x7f.1",
        "127.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::127.0.0.1]",
    ],
)
def test_loopback_literals_are_refused_before_connecting(
    server: LoopbackServer, dialed: list[Any], spelling: str
) -> None:
    resolver = StubResolver({})
    with pytest.raises(ForbiddenAddressError):
        fetch(f"http://{spelling}:{server.port}/", Chunks(), resolver=resolver)
    assert server.requests == []
    assert dialed == []
    assert resolver.calls == []  # literals are never looked up


def test_localhost_is_refused_before_connecting(server: LoopbackServer, dialed: list[Any]) -> None:
    with pytest.raises(ForbiddenAddressError, match="localhost resolves to a forbidden address"):
        fetch(server.url(host="localhost"), Chunks())
    assert server.requests == []
    assert dialed == []


@pytest.mark.parametrize("spelling", ["2130706433", "0177.0.0.1", "0x7f000001", "127.1"])
def test_numeric_spellings_reach_127_0_0_1_when_it_is_allowed(
    server: LoopbackServer, dialed: list[Any], spelling: str
) -> None:
    server.routes["/"] = body(b"ok")
    result = fetch(f"http://{spelling}:{server.port}/", Chunks(), allowed_networks=LOOPBACK_ONLY)
    assert result.final_url == f"http://127.0.0.1:{server.port}/"
    assert dialed == [("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    "answer",
    [
        ["10.0.0.5"],
        ["8.8.8.8", "10.0.0.1"],
        ["10.0.0.1", "8.8.8.8"],
        ["2606:4700:4700::1111", "fd00::1"],
        ["169.254.169.254"],
        ["::ffff:192.168.0.1"],
        ["8.8.8.8", "127.0.0.1"],  # a loopback record next to a public one, loopback not allowed
    ],
)
def test_a_name_with_any_forbidden_record_is_refused_without_connecting(
    dialed: list[Any], answer: list[str]
) -> None:
    resolver = StubResolver({"mixed.example": answer})
    with pytest.raises(ForbiddenAddressError) as caught:
        fetch("http://mixed.example/img.png", Chunks(), resolver=resolver)
    assert caught.value.detail.startswith("mixed.example resolves to a forbidden address (")
    assert not any(a in caught.value.detail for a in answer)  # internal addresses stay private
    assert dialed == []


@pytest.mark.parametrize(
    ("resolver", "detail"),
    [
        (StubResolver({}), "could not resolve nowhere.example"),
        (StubResolver({"nowhere.example": []}), "nowhere.example has no addresses"),
    ],
)
def test_resolution_failures_are_fetch_failures(
    dialed: list[Any], resolver: StubResolver, detail: str
) -> None:
    with pytest.raises(FetchFailedError, match=detail):
        fetch("http://nowhere.example/", Chunks(), resolver=resolver)
    assert dialed == []


def test_system_resolver_answers_with_ip_addresses() -> None:
    assert "127.0.0.1" in {str(a) for a in system_resolver("localhost", 80)}


def rebinding(first: str, later: str) -> Callable[[], Sequence[str]]:
    """A DNS answer that changes after the first lookup."""
    answers = iter([[first]])
    return lambda: next(answers, [later])


class RecordingBackend(pinning.PinnedBackend):
    """Remembers what each pinned backend was given and what httpcore asked it to dial."""

    log: ClassVar[list[tuple[str, tuple[IPAddress, ...], str]]] = []

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        RecordingBackend.log.append((self.host, self.addresses, host))
        return super().connect_tcp(host, port, *args, **kwargs)


def test_each_hop_is_resolved_once_and_dialled_at_the_checked_address(
    server: LoopbackServer, dialed: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rebinding names: the answer that passes the check first, a forbidden one on later lookups.
    resolver = StubResolver(
        {
            "first.example": rebinding("127.0.0.1", "10.0.0.66"),
            "second.example": rebinding("127.0.0.1", "10.0.0.66"),
        }
    )
    RecordingBackend.log = []
    monkeypatch.setattr(pinning, "PinnedBackend", RecordingBackend)
    server.routes["/hop"] = lambda h: respond(
        h, b"", status=302, headers={"Location": server.url("/final", host="second.example")}
    )
    server.routes["/final"] = body(b"done")

    result = fetch(
        server.url("/hop", host="first.example"),
        Chunks(),
        allowed_networks=LOOPBACK_ONLY,
        resolver=resolver,
    )

    assert result.redirects == 1
    assert resolver.calls == [("first.example", server.port), ("second.example", server.port)]
    assert [
        (host, [str(a) for a in addrs], asked) for host, addrs, asked in RecordingBackend.log
    ] == [
        ("first.example", ["127.0.0.1"], "first.example"),
        ("second.example", ["127.0.0.1"], "second.example"),
    ]
    # httpcore asked for the names; the sockets went to the pinned address.
    assert dialed == [("127.0.0.1", server.port), ("127.0.0.1", server.port)]
    assert [r.headers["host"] for r in server.requests] == [
        f"first.example:{server.port}",
        f"second.example:{server.port}",
    ]


def test_the_next_checked_address_is_tried_when_one_refuses(
    server: LoopbackServer, dialed: list[Any]
) -> None:
    server.routes["/"] = body(b"ok")
    port = server.port
    resolver = StubResolver({"two.example": ["::1", "127.0.0.1"]})  # nothing listens on ::1
    allowed = [*LOOPBACK_ONLY, ip_network("::1/128")]
    result = fetch(
        server.url(host="two.example"), Chunks(), allowed_networks=allowed, resolver=resolver
    )
    assert result.size == 2
    assert dialed == [("::1", port), ("127.0.0.1", port)]


def test_proxy_environment_variables_are_ignored(
    server: LoopbackServer, dialed: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    server.routes["/"] = body(b"direct")
    resolver = StubResolver({"direct.example": ["127.0.0.1"]})
    result = fetch(
        server.url(host="direct.example"),
        Chunks(),
        allowed_networks=LOOPBACK_ONLY,
        resolver=resolver,
    )
    assert result.size == len(b"direct")
    assert dialed == [("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    ("status", "headers"),
    [(404, {}), (500, {}), (403, {}), (302, {}), (304, {}), (204, {"Content-Encoding": "gzip"})],
)
def test_other_answers_are_fetch_failures(
    server: LoopbackServer, status: int, headers: dict[str, str]
) -> None:
    server.routes["/x"] = lambda h: respond(h, b"", status=status, headers=headers)
    sink = Chunks()
    with pytest.raises(FetchFailedError) as caught:
        fetch(server.url("/x"), sink, allowed_networks=LOOPBACK_ONLY)
    if status == 204:
        assert "gzip-encoded" in caught.value.detail
    else:
        assert caught.value.detail == f"127.0.0.1 answered with HTTP status {status}"
    assert sink == []


def test_a_refused_connection_is_a_fetch_failure(dialed: list[Any]) -> None:
    port = closed_port()
    with pytest.raises(FetchFailedError, match=r"^could not connect to 127\.0\.0\.1$"):
        fetch(f"http://127.0.0.1:{port}/", Chunks(), allowed_networks=LOOPBACK_ONLY)
    assert dialed == [("127.0.0.1", port)]


def test_the_pinned_backend_dials_only_the_host_it_was_pinned_for() -> None:
    backend = pinning.PinnedBackend(
        host="a.example", addresses=[ip_address("127.0.0.1")], deadline=time.monotonic() + 5
    )
    with pytest.raises(httpcore.ConnectError, match=r"unpinned host 'b\.example'"):
        backend.connect_tcp("b.example", 80)
    with pytest.raises(httpcore.ConnectError, match="Unix sockets"):
        backend.connect_unix_socket("/run/docker.sock")


def test_the_pinned_backend_gives_up_at_the_deadline(dialed: list[Any]) -> None:
    backend = pinning.PinnedBackend(
        host="a.example", addresses=[ip_address("127.0.0.1")], deadline=time.monotonic() - 1
    )
    with pytest.raises(httpcore.ConnectTimeout):
        backend.connect_tcp("a.example", closed_port(), timeout=5)
    assert dialed == []
