"""The CORS decision: (an environment's allowlist and policy, a request) -> allowed or not, why,
and the exact headers to send. Pure: no I/O, no HTTP framework.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from imgwired.cors.matcher import OriginMatcher
from imgwired.cors.origins import Origin
from imgwired.cors.patterns import OriginPattern
from imgwired.cors.policy import CorsMode, CorsPolicy, is_token

__all__ = [
    "ALLOWED",
    "MAX_REQUEST_HEADERS_LENGTH",
    "Decision",
    "EnvironmentCors",
    "Preflight",
    "first_allowed",
]

ALLOWED = "allowed"
ORIGIN_NOT_ALLOWED = "origin_not_allowed"
METHOD_NOT_ALLOWED = "method_not_allowed"
PRIVATE_NETWORK_NOT_ALLOWED = "private_network_not_allowed"
REQUEST_HEADERS_TOO_LONG = "request_headers_too_long"
# Longer Access-Control-Request-Headers values are refused before any parsing: no browser
# sends kilobytes of header names, and the cap keeps hostile values cheap to answer.
MAX_REQUEST_HEADERS_LENGTH = 4096
# Fetch's CORS-safelisted request header names whose values need no permission from us.
# (content-type and range are safelisted only for some values; when a browser lists them in a
# preflight their value is not safelisted, so they need the policy's permission.)
_SAFELISTED = frozenset({"accept", "accept-language", "content-language"})

Header = tuple[bytes, bytes]
REASON_HEADER = b"x-cors-error"
REPORT_HEADER = b"x-cors-report"


@dataclass(frozen=True, slots=True)
class Preflight:
    """What a preflight asks: the origin, method and header names of the request to come."""

    origin: Origin | None
    method: str
    request_headers: Sequence[bytes] = ()
    private_network: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether the browser gets access, why, which pattern let it in, and the headers to send."""

    allowed: bool
    reason: str
    matched_pattern: str | None
    headers: tuple[Header, ...]
    # Refused by the allowlist or policy, but served because the environment only reports.
    reported: bool = False

    def header_map(self) -> dict[str, str]:
        return {name.decode("latin-1"): value.decode("latin-1") for name, value in self.headers}


class EnvironmentCors:
    """One environment's allowlist and policy, compiled so a decision is a few dict lookups."""

    __slots__ = (
        "_acam",
        "_aceh",
        "_max_age",
        "_vary",
        "environment_id",
        "matcher",
        "patterns",
        "policy",
        "skipped",
    )

    def __init__(
        self,
        environment_id: uuid.UUID,
        patterns: Iterable[OriginPattern],
        policy: CorsPolicy,
        *,
        skipped: int = 0,
    ) -> None:
        """``skipped`` counts stored patterns left out because they do not compile."""
        self.environment_id = environment_id
        self.patterns = tuple(patterns)
        self.skipped = skipped
        self.matcher = OriginMatcher(self.patterns)
        self.policy = policy
        self._acam = ", ".join(policy.allowed_methods).encode("latin-1")
        self._aceh = ", ".join(policy.expose_headers).encode("latin-1")
        self._max_age = str(policy.max_age).encode()
        vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        if policy.allow_private_network:
            vary += ", Access-Control-Request-Private-Network"
        self._vary = vary.encode()

    @property
    def allows_any_origin(self) -> bool:
        """An empty allowlist lets every origin in (without credentials).

        An allowlist is not empty because its stored rows were skipped: the user listed
        origins, so the environment must not open up to all of them.
        """
        return self.matcher.is_empty and not self.skipped

    def admits(self, origin: Origin | None) -> tuple[bool, str | None]:
        """(admitted, matched pattern); an empty allowlist admits any valid origin as '*'."""
        if origin is None:
            return False, None
        if self.allows_any_origin:
            return True, "*"
        pattern = self.matcher.match(origin)
        return pattern is not None, pattern.normalized if pattern else None

    def preflight(self, request: Preflight) -> Decision:
        admitted, pattern = self.admits(request.origin)
        names = _requested_names(request.request_headers)
        method_allowed = request.method in self.policy.allowed_methods
        reason = ALLOWED
        if not admitted:
            reason = ORIGIN_NOT_ALLOWED
        elif not method_allowed:
            reason = METHOD_NOT_ALLOWED
        elif names is None:
            reason = REQUEST_HEADERS_TOO_LONG
        elif refusal := self._header_refusal(names):
            reason = refusal
        elif request.private_network and not self.policy.allow_private_network:
            reason = PRIVATE_NETWORK_NOT_ALLOWED
        if reason != ALLOWED and self.policy.mode is CorsMode.ENFORCE:
            return Decision(False, reason, pattern, ((REASON_HEADER, reason.encode()),))
        # Allowed, or report-only: grant what was asked, so the browser goes on to the request.
        acam = self._acam
        if not method_allowed and is_token(request.method):
            acam += b", " + request.method.encode()
        headers = [
            *self._origin_headers(request.origin),
            (b"access-control-allow-methods", acam),
            (b"access-control-max-age", self._max_age),
        ]
        granted = [name for name in names or () if is_token(name)]
        if granted:
            headers.append((b"access-control-allow-headers", ", ".join(granted).encode()))
        if request.private_network:
            headers.append((b"access-control-allow-private-network", b"true"))
        if reason != ALLOWED:
            headers.append((REPORT_HEADER, reason.encode()))
        return Decision(reason == ALLOWED, reason, pattern, tuple(headers), reason != ALLOWED)

    def actual(self, origin: Origin | None) -> Decision:
        """The decision for a request that carries an Origin header (valid or not)."""
        admitted, pattern = self.admits(origin)
        if admitted:
            headers = (
                *self._origin_headers(origin),
                (b"access-control-expose-headers", self._aceh),
            )
            return Decision(True, ALLOWED, pattern, headers)
        if self.policy.mode is CorsMode.ENFORCE:
            return Decision(
                False, ORIGIN_NOT_ALLOWED, None, ((REASON_HEADER, b"origin_not_allowed"),)
            )
        headers = (
            *self._origin_headers(origin),
            (b"access-control-expose-headers", self._aceh),
            (REPORT_HEADER, b"origin_not_allowed"),
        )
        return Decision(False, ORIGIN_NOT_ALLOWED, None, headers, reported=True)

    @property
    def preflight_vary(self) -> bytes:
        return self._vary

    def _origin_headers(self, origin: Origin | None) -> tuple[Header, ...]:
        if origin is None:
            # Report-only mode serving an unparseable origin: nothing can be echoed safely.
            return ()
        if self.allows_any_origin:
            return ((b"access-control-allow-origin", b"*"),)
        echoed = (b"access-control-allow-origin", origin.serialized.encode())
        if self.policy.allow_credentials:
            return (echoed, (b"access-control-allow-credentials", b"true"))
        return (echoed,)

    def _header_refusal(self, names: Sequence[str]) -> str | None:
        """The reason the first requested header is refused, or None if all are allowed."""
        allowed = self.policy.allowed_header_set
        wildcard = "*" in allowed
        for name in names:
            if not is_token(name):
                return f"header_not_allowed:{name[:64]}"
            # A '*' never covers Authorization (Fetch treats it as always needing a name).
            covered = name in allowed or (wildcard and name != "authorization")
            if not covered and name not in _SAFELISTED:
                return f"header_not_allowed:{name}"
        return None


def _requested_names(values: Sequence[bytes]) -> list[str] | None:
    """The header names of Access-Control-Request-Headers lines, lowercased, in order, each once;
    None when the lines are too long to be a browser's.
    """
    if sum(len(value) for value in values) > MAX_REQUEST_HEADERS_LENGTH:
        return None
    names: list[str] = []
    for value in values:
        for item in value.decode("latin-1").split(","):
            name = item.strip(" \t").lower()
            if name and name not in names:
                names.append(name)
    return names


def first_allowed(decisions: Iterable[Decision]) -> Decision:
    """For a request whose environment is not known yet, given each environment's decision
    (lazily): the first that allows it wins; otherwise the most specific refusal.
    """
    refusal: Decision | None = None
    for decision in decisions:
        if decision.allowed:
            return decision
        if refusal is None or (
            refusal.reason == ORIGIN_NOT_ALLOWED and decision.reason != ORIGIN_NOT_ALLOWED
        ):
            refusal = decision
    return refusal or NO_ENVIRONMENT


NO_ENVIRONMENT = Decision(
    False, ORIGIN_NOT_ALLOWED, None, ((REASON_HEADER, b"origin_not_allowed"),)
)
