"""A real DNS server on loopback (UDP), answering from dicts the test controls."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType

import dns.exception
import dns.message
import dns.rcode
import dns.rrset


@dataclass
class FakeDns:
    """Names (lowercase, no trailing dot) and what the server says about them.

    ``cnames`` answers a CNAME; ``exists`` answers NOERROR with no CNAME (a name with only an
    A record); ``drop`` never answers (a timeout); ``servfail`` answers SERVFAIL; anything else
    is NXDOMAIN.
    """

    cnames: dict[str, str] = field(default_factory=dict)
    exists: set[str] = field(default_factory=set)
    drop: set[str] = field(default_factory=set)
    servfail: set[str] = field(default_factory=set)
    queries: list[str] = field(default_factory=list)
    port: int = 0
    _socket: socket.socket | None = None
    _thread: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> FakeDns:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="fake-dns", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._socket is not None and self._thread is not None
        self._stopping.set()
        # Wake the blocking recvfrom with one datagram; the loop then sees the flag and ends.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
            waker.sendto(b"", ("127.0.0.1", self.port))
        self._thread.join(timeout=5)
        self._socket.close()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def point(self, hostname: str, target: str) -> None:
        """Make ``hostname`` a CNAME to ``target``, replacing whatever it was."""
        self.forget(hostname)
        self.cnames[hostname] = target

    def forget(self, hostname: str) -> None:
        self.cnames.pop(hostname, None)
        self.exists.discard(hostname)
        self.drop.discard(hostname)
        self.servfail.discard(hostname)

    def _serve(self) -> None:
        assert self._socket is not None
        while True:
            data, peer = self._socket.recvfrom(4096)
            if self._stopping.is_set():
                return
            try:
                query = dns.message.from_wire(data)
            except dns.exception.DNSException:
                continue  # not a DNS message: ignore it, as a real server would
            reply = self._answer(query)
            if reply is not None:
                self._socket.sendto(reply.to_wire(), peer)

    def _answer(self, query: dns.message.Message) -> dns.message.Message | None:
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        self.queries.append(name)
        if name in self.drop:
            return None
        response = dns.message.make_response(query)
        if name in self.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
        elif name in self.cnames:
            target = self.cnames[name].rstrip(".") + "."  # absolute, as in a zone file
            response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "CNAME", target))
        elif name not in self.exists:
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response
