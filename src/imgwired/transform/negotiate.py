"""``format=auto`` (or no format): the output chosen from the request's Accept header.

The choice is one of three buckets, so a cache never holds more than three renditions of one
set of parameters whatever browsers send: AVIF, WebP, or the original's family (None).
"""

from __future__ import annotations

from imgwired.transform.grammar.params import OutputFormat

_MAX_ACCEPT = 2048
_PREFERENCE = tuple((f.media_type.value, f) for f in (OutputFormat.AVIF, OutputFormat.WEBP))


def negotiate(accept: str | None) -> OutputFormat | None:
    """AVIF if the client names it, else WebP if it names it, else None (the original's family).

    Only an explicit media type counts: ``image/*`` and ``*/*`` promise nothing about new formats,
    and a ``q=0`` refuses the type.
    """
    if not accept:
        return None
    named = _accepted_types(accept[:_MAX_ACCEPT])
    for media_type, output in _PREFERENCE:
        if media_type in named:
            return output
    return None


def _accepted_types(accept: str) -> set[str]:
    accepted = set()
    for item in accept.split(","):
        media_type, _, parameters = item.partition(";")
        media_type = media_type.strip().lower()
        if media_type and not _refused(parameters):
            accepted.add(media_type)
    return accepted


def _refused(parameters: str) -> bool:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip()) <= 0
            except ValueError:
                return True
    return False
