"""An environment's CORS policy: its fields, their defaults and the rules a valid one obeys."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from imgwired.errors import InvalidInputError

__all__ = [
    "DEFAULT_EXPOSE_HEADERS",
    "MAX_MAX_AGE",
    "CorsMode",
    "CorsPolicy",
    "normalise_header_names",
    "normalise_methods",
]

MAX_MAX_AGE = 86400

# Every response header a script may want to read: ids, paging, caching, redirects, limits.
DEFAULT_EXPOSE_HEADERS = (
    "X-Request-Id",
    "X-Total-Count",
    "X-Page",
    "X-Limit",
    "X-Prev-Page",
    "X-Next-Page",
    "ETag",
    "Location",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)

# RFC 9110 token characters.
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Fetch: methods a script can never use, and header names it can never set.
_FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
# Fetch normalises these methods to uppercase before sending them, so we store them that way.
_NORMALISED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
_FORBIDDEN_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
_FORBIDDEN_HEADER_PREFIXES = ("proxy-", "sec-")
_MAX_ITEMS = 64


class CorsMode(enum.StrEnum):
    ENFORCE = "enforce"
    REPORT_ONLY = "report_only"


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """What an allowed origin may do; defaults suit browser uploads with a client key."""

    allowed_methods: tuple[str, ...] = ("GET", "HEAD", "POST", "PUT")
    allowed_headers: tuple[str, ...] = ("Authorization", "Content-Type")
    expose_headers: tuple[str, ...] = DEFAULT_EXPOSE_HEADERS
    max_age: int = MAX_MAX_AGE
    allow_credentials: bool = False
    allow_private_network: bool = False
    mode: CorsMode = CorsMode.ENFORCE
    # Lowercased allowed header names, for case-insensitive lookups.
    allowed_header_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lowered = frozenset(name.lower() for name in self.allowed_headers)
        object.__setattr__(self, "allowed_header_set", lowered)

    def validated(self, *, allowlist_empty: bool) -> CorsPolicy:
        """This policy with names normalised, or InvalidInputError saying what is wrong."""
        if not 0 <= self.max_age <= MAX_MAX_AGE:
            raise _invalid("max_age", f"max_age must be between 0 and {MAX_MAX_AGE} seconds")
        if self.allow_credentials and allowlist_empty:
            raise _invalid(
                "allow_credentials",
                "allow_credentials needs at least one CORS origin: credentials are never "
                "allowed for every origin",
            )
        if self.allow_credentials and "*" in self.expose_headers:
            raise _invalid(
                "expose_headers",
                "'*' in expose_headers means no wildcard once credentials are allowed; "
                "list the header names instead",
            )
        return CorsPolicy(
            allowed_methods=normalise_methods(self.allowed_methods),
            allowed_headers=normalise_header_names(self.allowed_headers, "allowed_headers"),
            expose_headers=normalise_header_names(self.expose_headers, "expose_headers"),
            max_age=self.max_age,
            allow_credentials=self.allow_credentials,
            allow_private_network=self.allow_private_network,
            mode=CorsMode(self.mode),
        )


def normalise_methods(methods: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for method in methods:
        if not method or not set(method) <= _TOKEN:
            raise _invalid("allowed_methods", f"{method!r} is not a valid HTTP method name")
        if method.upper() in _FORBIDDEN_METHODS:
            raise _invalid("allowed_methods", f"{method} can never be sent by a browser script")
        if method.upper() in _NORMALISED_METHODS:
            method = method.upper()
        if method not in out:
            out.append(method)
    if len(out) > _MAX_ITEMS:
        raise _invalid("allowed_methods", f"at most {_MAX_ITEMS} methods")
    return tuple(out)


def normalise_header_names(names: Iterable[str], field_name: str) -> tuple[str, ...]:
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        if name != "*" and (not name or not set(name) <= _TOKEN):
            raise _invalid(field_name, f"{name!r} is not a valid header name")
        lowered = name.lower()
        forbidden = lowered in _FORBIDDEN_HEADERS or lowered.startswith(_FORBIDDEN_HEADER_PREFIXES)
        if field_name == "allowed_headers" and forbidden:
            raise _invalid(field_name, f"{name} is set by the browser and cannot be allowed")
        if lowered not in seen:
            seen.add(lowered)
            out.append(name)
    if len(out) > _MAX_ITEMS:
        raise _invalid(field_name, f"at most {_MAX_ITEMS} header names")
    return tuple(out)


def is_token(value: str) -> bool:
    return bool(value) and set(value) <= _TOKEN


def _invalid(field_name: str, detail: str) -> InvalidInputError:
    return InvalidInputError(detail, loc=("body", field_name))
