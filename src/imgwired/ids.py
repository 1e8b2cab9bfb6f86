"""Ids in URLs: a resource is named by one spelling of its UUID, and only that one is served.

``uuid.UUID()`` reads many spellings of one id (upper case, without hyphens, in braces, as a
``urn:uuid:``); served under each, one image would fill an edge cache once per spelling. The
canonical spelling is the one imgwired writes: lower case, hyphenated (``str(uuid)``).
"""

from __future__ import annotations

import uuid

_CANONICAL_LENGTH = 36


def canonical_id(text: str) -> uuid.UUID | None:
    """The id ``text`` names if it is written in the canonical spelling, else None."""
    if len(text) != _CANONICAL_LENGTH:
        return None
    try:
        value = uuid.UUID(text)
    except ValueError:
        return None
    return value if str(value) == text else None


def is_other_spelling(text: str) -> bool:
    """True when ``text`` is a UUID written in a spelling other than the canonical one."""
    try:
        value = uuid.UUID(text)
    except ValueError:
        return False
    return str(value) != text
