"""The names of environments and keys: one rule, read by the API's schemas and the CLI alike.

A name is trimmed of surrounding whitespace, then must hold 1 to ``NAME_MAX_LENGTH``
characters; the services apply the rule, so every face refuses the same names with the same
sentence.
"""

from __future__ import annotations

from imgwired.errors import InvalidInputError

NAME_MAX_LENGTH = 255


def environment_name(value: str) -> str:
    """``value`` trimmed, or an ``InvalidInputError`` saying what an environment name must be."""
    return _name(value, "An environment name")


def key_name(value: str) -> str:
    """``value`` trimmed, or an ``InvalidInputError`` saying what a key name must be."""
    return _name(value, "A key name")


def _name(value: str, what: str) -> str:
    if not _is_unicode(value):  # undecodable bytes in a command line arrive as surrogates
        raise InvalidInputError(f"{what} must be Unicode text", loc=("body", "name"))
    name = value.strip()
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise InvalidInputError(
            f"{what} must be 1 to {NAME_MAX_LENGTH} characters once surrounding spaces are "
            f"trimmed; this one has {len(name)}",
            loc=("body", "name"),
        )
    return name


def _is_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
