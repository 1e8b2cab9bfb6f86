"""The runtime's view of many environments: the right one decides, whatever their number."""

from __future__ import annotations

import uuid

from imgwired.cors.decision import EnvironmentCors, Preflight
from imgwired.cors.origins import parse_origin
from imgwired.cors.patterns import parse_pattern
from imgwired.cors.policy import CorsMode, CorsPolicy
from imgwired.cors.runtime import CorsSnapshot


def environments(count: int, **policy: object) -> dict[uuid.UUID, EnvironmentCors]:
    made = [
        EnvironmentCors(
            uuid.uuid4(),
            [parse_pattern(f"app{i}.example.com")],
            CorsPolicy(**policy),  # type: ignore[arg-type]
        )
        for i in range(count)
    ]
    return {env.environment_id: env for env in made}


def asking(origin: str, method: str = "POST") -> Preflight:
    return Preflight(parse_origin([origin]), method, [b"authorization"])


def test_only_the_admitting_environment_is_asked() -> None:
    envs = environments(200)
    snapshot = CorsSnapshot(envs, {})
    last = list(envs.values())[-1]
    assert snapshot.candidates(parse_origin(["https://app199.example.com"])) == [last]
    decision = snapshot.preflight_anywhere(asking("https://app199.example.com"))
    assert decision.allowed
    assert decision.matched_pattern == "app199.example.com"
    refused = snapshot.preflight_anywhere(asking("https://evil.example.org"))
    assert refused.reason == "origin_not_allowed"
    assert len(snapshot.refusing) == 200


def test_open_and_report_only_environments_always_take_part() -> None:
    envs = environments(3)
    open_env = EnvironmentCors(uuid.uuid4(), [], CorsPolicy())
    reporting = EnvironmentCors(
        uuid.uuid4(), [parse_pattern("x.example.com")], CorsPolicy(mode=CorsMode.REPORT_ONLY)
    )
    snapshot = CorsSnapshot(
        {**envs, open_env.environment_id: open_env, reporting.environment_id: reporting}, {}
    )
    candidates = snapshot.candidates(parse_origin(["https://nobody.example.org"]))
    assert candidates == [open_env, reporting]
    assert snapshot.preflight_anywhere(asking("https://nobody.example.org")).allowed


def test_a_more_specific_refusal_is_reported() -> None:
    envs = environments(5, allowed_methods=("GET",))
    decision = CorsSnapshot(envs, {}).preflight_anywhere(asking("https://app3.example.com"))
    assert decision.reason == "method_not_allowed"
