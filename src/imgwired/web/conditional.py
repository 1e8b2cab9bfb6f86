"""Conditional requests: whether a cached copy the client holds is still the current one.

Answered in the HTTP layer, as Starlette's ``StaticFiles.is_not_modified`` does: the services
say which ETag the answer has; the routes compare it with ``If-None-Match`` and answer 304.
"""

from __future__ import annotations


def is_not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weakly, as RFC 9110 compares for GET) or ``*``."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags or "*" in tags
