"""fetch follows redirects by hand, and every hop passes the same checks as the first URL."""

from __future__ import annotations

from typing import Any

import pytest

from imgwired.ingest import (
    FetchError,
    ForbiddenAddressError,
    InvalidFetchUrlError,
    TooManyRedirectsError,
    fetch,
)
from tests.ingest.helpers import LOOPBACK_ONLY, Chunks, LoopbackServer, StubResolver, body, redirect


def chain(server: LoopbackServer, hops: int) -> None:
    """/r/0 redirects to /r/1 ... to /r/{hops}, which answers with a body."""
    for i in range(hops):
        server.routes[f"/r/{i}"] = redirect(f"/r/{i + 1}", status=(301, 302, 303, 307, 308)[i % 5])
    server.routes[f"/r/{hops}"] = body(b"end")


@pytest.mark.parametrize(
    ("location", "answers", "error"),
    [
        ("http://10.0.0.7/", {}, ForbiddenAddressError),
        ("http://169.254.169.254/latest/meta-data/", {}, ForbiddenAddressError),
        ("http://0xa9fea9fe/", {}, ForbiddenAddressError),
        ("http://[fd00::7]/", {}, ForbiddenAddressError),
        ("http://evil.example/", {"evil.example": ["192.168.0.1"]}, ForbiddenAddressError),
        ("//evil.example/", {"evil.example": ["8.8.8.8", "10.1.1.1"]}, ForbiddenAddressError),
        ("file:///etc/passwd", {}, InvalidFetchUrlError),
        ("gopher://127.0.0.1:6379/_FLUSHALL", {}, InvalidFetchUrlError),
        ("http://user:pw@evil.example/", {}, InvalidFetchUrlError),
        ("http:evil", {}, InvalidFetchUrlError),
    ],
)
def test_a_redirect_to_a_forbidden_target_is_refused_before_following(
    server: LoopbackServer,
    dialed: list[Any],
    location: str,
    answers: dict[str, list[str]],
    error: type[FetchError],
) -> None:
    server.routes["/go"] = redirect(location)
    resolver = StubResolver({"start.example": ["127.0.0.1"], **answers})
    with pytest.raises(error):
        fetch(
            server.url("/go", host="start.example"),
            Chunks(),
            allowed_networks=LOOPBACK_ONLY,
            resolver=resolver,
        )
    assert [r.path for r in server.requests] == ["/go"]
    assert dialed == [("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    ("location", "final_path"),
    [("/final", "/final"), ("final?x=1", "/dir/final?x=1"), ("../final", "/final")],
)
def test_relative_locations_resolve_against_the_current_url(
    server: LoopbackServer, location: str, final_path: str
) -> None:
    server.routes["/dir/start"] = redirect(location)
    server.routes[final_path.split("?")[0]] = body(b"here")
    result = fetch(server.url("/dir/start"), Chunks(), allowed_networks=LOOPBACK_ONLY)
    assert result.final_url == server.url(final_path)
    assert result.redirects == 1


def test_a_scheme_relative_location_is_resolved_and_checked_again(server: LoopbackServer) -> None:
    server.routes["/start"] = redirect(f"//other.example:{server.port}/final")
    server.routes["/final"] = body(b"here")
    resolver = StubResolver({"start.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    result = fetch(
        server.url("/start", host="start.example"),
        Chunks(),
        allowed_networks=LOOPBACK_ONLY,
        resolver=resolver,
    )
    assert result.final_url == server.url("/final", host="other.example")
    assert [host for host, _ in resolver.calls] == ["start.example", "other.example"]


@pytest.mark.parametrize("hops", [0, 1, 5])
def test_up_to_max_redirects_are_followed(server: LoopbackServer, hops: int) -> None:
    chain(server, hops)
    sink = Chunks()
    result = fetch(server.url("/r/0"), sink, allowed_networks=LOOPBACK_ONLY)
    assert (result.redirects, result.final_url, b"".join(sink)) == (
        hops,
        server.url(f"/r/{hops}"),
        b"end",
    )


@pytest.mark.parametrize(("hops", "max_redirects"), [(6, 5), (20, 5), (1, 0), (3, 2)])
def test_more_redirects_than_allowed_are_refused(
    server: LoopbackServer, hops: int, max_redirects: int
) -> None:
    chain(server, hops)
    with pytest.raises(TooManyRedirectsError, match=f"more than {max_redirects} redirects"):
        fetch(
            server.url("/r/0"),
            Chunks(),
            max_redirects=max_redirects,
            allowed_networks=LOOPBACK_ONLY,
        )
    assert len(server.requests) == max_redirects + 1


def test_a_redirect_loop_ends_at_the_limit(server: LoopbackServer) -> None:
    server.routes["/loop"] = redirect("/loop")
    with pytest.raises(TooManyRedirectsError):
        fetch(server.url("/loop"), Chunks(), allowed_networks=LOOPBACK_ONLY)
    assert len(server.requests) == 6
