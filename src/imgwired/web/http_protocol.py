"""uvicorn's httptools protocol, writing response header names as the application spelled them.

uvicorn's httptools protocol lowercases every response header name before it writes the head
(its h11 protocol keeps the case, at about half the throughput). The head of a response is
written in one ``transport.write`` call; this protocol gives each request cycle a transport that
spells the names of that one write canonically and passes every other byte through untouched.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from imgwired.web.header_case import canonical_header_name

_INTERIM = b"HTTP/1.1 1"  # 100 Continue is written before the head and has no headers


class _HeadSpellingTransport:
    """Delegates to a transport; rewrites the header names of the first response head written."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self._head_written = False

    def write(self, data: bytes) -> None:
        if self._head_written or data.startswith(_INTERIM):
            self._transport.write(data)
            return
        self._head_written = True
        self._transport.write(spell_head(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def spell_head(head: bytes) -> bytes:
    """A response head (status line, header lines, blank line) with canonical header names."""
    status, _, rest = head.partition(b"\r\n")
    lines = [status]
    for line in rest.split(b"\r\n"):
        name, colon, value = line.partition(b":")
        lines.append(canonical_header_name(name) + colon + value if colon else line)
    return b"\r\n".join(lines)


class CanonicalCaseHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` whose responses keep the header names' canonical case on the wire."""

    def on_headers_complete(self) -> None:
        previous = self.cycle
        super().on_headers_complete()
        # The cycle's task has been created but not run yet: nothing has been written.
        if self.cycle is not None and self.cycle is not previous:
            self.cycle.transport = _HeadSpellingTransport(self.transport)  # type: ignore[assignment]
