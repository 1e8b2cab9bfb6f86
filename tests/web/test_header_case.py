"""Header names are spelled canonically: by the middleware, and on the wire by the protocol."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from imgwired.web.header_case import canonical_header_name
from imgwired.web.http_protocol import spell_head


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        (b"x-total-count", b"X-Total-Count"),
        (b"X-TOTAL-COUNT", b"X-Total-Count"),
        (b"x-request-id", b"X-Request-Id"),
        (b"etag", b"ETag"),
        (b"www-authenticate", b"WWW-Authenticate"),
        (b"access-control-allow-origin", b"Access-Control-Allow-Origin"),
        (b"access-control-allow-private-network", b"Access-Control-Allow-Private-Network"),
        (b"ratelimit-policy", b"RateLimit-Policy"),
        (b"retry-after", b"Retry-After"),
        (b"x-cors-error", b"X-CORS-Error"),
        (b"content-type", b"Content-Type"),
        (b"vary", b"Vary"),
    ],
)
def test_canonical_names(name: bytes, canonical: bytes) -> None:
    assert canonical_header_name(name) == canonical


def test_a_head_is_respelled_line_by_line_and_values_are_untouched() -> None:
    head = (
        b'HTTP/1.1 200 OK\r\nx-total-count: 3\r\netag: "a-b"\r\nlocation: http://h/x-y: z\r\n\r\n'
    )
    assert spell_head(head) == (
        b'HTTP/1.1 200 OK\r\nX-Total-Count: 3\r\nETag: "a-b"\r\nLocation: http://h/x-y: z\r\n\r\n'
    )


def test_the_app_hands_the_server_canonical_names(client: TestClient, installed: object) -> None:
    response = client.get("/api/v1/images/")
    raw_names = [name for name, _ in response.headers.raw]
    assert b"X-Request-Id" in raw_names
    assert b"WWW-Authenticate" in raw_names
    assert all(name[:1].isupper() for name in raw_names), raw_names
