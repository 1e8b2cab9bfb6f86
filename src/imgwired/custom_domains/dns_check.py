"""``check_cname()``: does a hostname's CNAME point at our target? One DNS query, told in words.

Blocking (it waits for the network for up to the timeout): call it from a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

__all__ = ["CnameCheck", "check_cname"]


@dataclass(frozen=True, slots=True)
class CnameCheck:
    """The outcome: ``connected`` when the CNAME is the target, else ``problem`` says what DNS
    showed instead (NXDOMAIN, no CNAME, a CNAME elsewhere, a timeout, a failing server)."""

    connected: bool
    problem: str | None = None


def check_cname(
    hostname: str,
    target: str,
    *,
    nameservers: Sequence[tuple[str, int]] = (),
    timeout: float,
) -> CnameCheck:
    """Query ``hostname``'s CNAME (no search list, no cache) and compare it with ``target``.

    Never raises for what DNS does: every failure is a ``CnameCheck`` with its reason.
    """
    expected = _plain(target)
    try:
        resolver = _resolver(nameservers, timeout)
        answer = resolver.resolve(
            dns.name.from_text(hostname),
            dns.rdatatype.CNAME,
            search=False,
            raise_on_no_answer=False,
        )
    except dns.resolver.NXDOMAIN:
        return CnameCheck(
            False,
            f"NXDOMAIN: {hostname} does not exist in DNS; "
            f"create a CNAME record pointing it to {expected}",
        )
    except dns.exception.Timeout:
        return CnameCheck(
            False, f"timeout: no DNS answer for {hostname} within {timeout:g} seconds"
        )
    except dns.resolver.NoNameservers:
        return CnameCheck(
            False, f"DNS servers failed to answer for {hostname} (SERVFAIL or REFUSED)"
        )
    except (dns.exception.DNSException, OSError) as exc:
        return CnameCheck(False, f"DNS lookup of {hostname} failed: {type(exc).__name__}: {exc}")
    if answer.rrset is None:
        return CnameCheck(
            False,
            f"no CNAME record: {hostname} exists but has no CNAME; "
            f"create one pointing to {expected}",
        )
    found = sorted(_plain(record.target.to_text()) for record in answer.rrset)
    if expected in found:
        return CnameCheck(True)
    return CnameCheck(False, f"CNAME to {', '.join(found)}: expected a CNAME to {expected}")


def _resolver(nameservers: Sequence[tuple[str, int]], timeout: float) -> dns.resolver.Resolver:
    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(address, port) for address, port in nameservers
        ]
    else:
        resolver = dns.resolver.Resolver()  # the system's resolv.conf
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.cache = None  # a re-test after fixing a record must see the fix
    return resolver


def _plain(name: str) -> str:
    """A DNS name as compared here: lowercase, no trailing dot."""
    return name.lower().rstrip(".")
