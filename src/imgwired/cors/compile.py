"""An environment's stored CORS rows compiled for requests, skipping (and reporting) what an
older version stored that no longer compiles.

A start, a refresh and every write compile from what is stored, so one unreadable row must cost
only itself: it is left out of its environment's allowlist, logged with the environment and the
row, and counted on the result (``EnvironmentCors.skipped``, shown in ``/metrics``). Leaving a
pattern out only ever refuses more: an allowlist whose rows were all skipped admits no origin.
"""

from __future__ import annotations

import logging
import uuid

from imgwired.cors import repository as repo
from imgwired.cors.decision import EnvironmentCors
from imgwired.cors.patterns import InvalidOriginPatternError, OriginPattern, parse_pattern
from imgwired.cors.policy import CorsMode, CorsPolicy
from imgwired.db.engine import Session
from imgwired.db.models import CorsPolicyRecord
from imgwired.errors import InvalidInputError

log = logging.getLogger("imgwired.cors")


def stored_policy(record: CorsPolicyRecord | None) -> tuple[CorsPolicy, str | None]:
    """The policy a stored row holds; or, when the row does not validate today, the default
    policy and why (an environment without a row has the default policy too).
    """
    if record is None:
        return CorsPolicy(), None
    try:
        policy = CorsPolicy(
            allowed_methods=tuple(record.allowed_methods),
            allowed_headers=tuple(record.allowed_headers),
            expose_headers=tuple(record.expose_headers),
            max_age=record.max_age,
            allow_credentials=record.allow_credentials,
            allow_private_network=record.allow_private_network,
            mode=CorsMode(record.mode),
        )
        # Credentials are checked against the allowlist when written, not here: a skipped
        # pattern must not turn a stored policy into an unreadable one.
        return policy.validated(allowlist_empty=False), None
    except (InvalidInputError, ValueError, TypeError) as exc:
        return CorsPolicy(), str(exc)


def policy_from_record(record: CorsPolicyRecord | None) -> CorsPolicy:
    """The stored policy, or the default one if the row does not validate (``stored_policy``)."""
    return stored_policy(record)[0]


def compile_environment(session: Session, environment_id: uuid.UUID) -> EnvironmentCors:
    """The environment's allowlist and policy; stored patterns that do not compile are skipped,
    each logged as a warning, and counted in ``skipped``.

    A stored policy that does not validate is skipped the same way: the default policy applies.
    Raises only if the database does; ``try_compile_environment`` keeps that to one environment.
    """
    patterns: list[OriginPattern] = []
    skipped = 0
    for origin_id, text in repo.patterns_of(session, environment_id):
        try:
            patterns.append(parse_pattern(text))
        except InvalidOriginPatternError as exc:
            skipped += 1
            log.warning(
                "CORS origin %s of environment %s is skipped: its stored pattern %r does not "
                "compile (%s); change or delete it through /api/v1/cors_origins",
                origin_id,
                environment_id,
                text,
                exc,
            )
    if skipped:
        log.warning(
            "environment %s: %d stored pattern(s) skipped; its %d other pattern(s) apply",
            environment_id,
            skipped,
            len(patterns),
        )
    policy, problem = stored_policy(repo.get_policy(session, environment_id))
    if problem is not None:
        log.warning(
            "the stored CORS policy of environment %s is skipped: it does not compile (%s); the "
            "default policy applies until it is changed through /api/v1/cors_policy",
            environment_id,
            problem,
        )
    return EnvironmentCors(environment_id, patterns, policy, skipped=skipped)


def closed(environment_id: uuid.UUID) -> EnvironmentCors:
    """An environment that admits no origin: what is served while its rows cannot be read.

    It counts as one skipped row, so the failure shows in ``/metrics`` as well as in the log.
    """
    return EnvironmentCors(environment_id, (), CorsPolicy(), skipped=1)


def try_compile_environment(
    session: Session, environment_id: uuid.UUID, previous: EnvironmentCors | None
) -> EnvironmentCors | None:
    """``compile_environment``, or None after logging the error, so one environment's failure
    never stops another's refresh; the caller keeps ``previous`` (or ``closed``) meanwhile.
    """
    try:
        return compile_environment(session, environment_id)
    except Exception:  # whatever it was, it must not reach other environments or a start
        kept = "its previous configuration" if previous else "no origin"
        log.exception(
            "compiling the CORS configuration of environment %s failed; it keeps %s "
            "and is tried again on the next refresh",
            environment_id,
            kept,
        )
        return None
