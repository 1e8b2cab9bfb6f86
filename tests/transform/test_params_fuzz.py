"""Whatever a query holds, parsing answers a Transformation or InvalidTransformationError.

A seeded generator (the same cases on every run) mixes valid values, mutations of them, values
built from the grammars' alphabet, and random JSON, under every name and alias.
"""

from __future__ import annotations

import json
import random
import string
from typing import Any

import pytest

from imgwired.errors import InvalidTransformationError
from imgwired.transform.grammar.params import PRESETS, parse_transformations
from imgwired.transform.grammar.parsers import SPELLINGS
from tests.transform.test_params import EXAMPLES

_ALPHABET = (
    string.digits * 3 + ":::,,.-#e{}[]\"' +" + "abcdefnorstuxAF" + "\x00\u00e9\u2212\U0001f600"
)
_ATOMS = [
    "",
    "0",
    "-0",
    "1",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e-400",
    "9" * 30,
    "." * 3,
    "00000000000001",
    "0.000000000001",
    "true",
    "auto",
    "ce:sm",
    "#",
    "%23fff",
    "255:255:255:1",
    "::::",
    "{}",
    "[]",
    "null",
    '{"a":' * 600 + "1" + "}" * 600,
]
_KEYS = [
    "width",
    "height",
    "x",
    "y",
    "gravity",
    "angle",
    "background",
    "colors",
    "sigma",
    "ratio",
    "top",
    "left",
    "shadow",
    "highlight",
    "brightness",
    "multiplier",
    "pivot",
    "w",
    "h",
    "m1",
    "opacity",
    "blend",
    "alpha",
    "zzz",
]


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rng.choice([0, 1, -1, 10**20, 2**63, 255, 8192, 100000])
    if kind == 1:
        return rng.choice([0.5, -0.0, 1e300, 1e-300, 3.14159, 1e20])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind in (3, 4, 5):
        return rng.choice([*_ATOMS, "north", "f00", "0:0:0", "multiply", "ce:sm"])
    if kind in (6, 7):
        return {rng.choice(_KEYS): _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}
    return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randrange(1, 4)):
        action = rng.randrange(3)
        position = rng.randrange(len(chars) + 1)
        if action == 0:
            chars.insert(position, rng.choice(_ALPHABET))
        elif chars and action == 1:
            del chars[min(position, len(chars) - 1)]
        elif chars:
            chars[min(position, len(chars) - 1)] = rng.choice(_ALPHABET)
    return "".join(chars)


def _value(rng: random.Random, name: str) -> str:
    kind = rng.randrange(6)
    example = EXAMPLES[name][0]
    if kind == 0:
        return example
    if kind == 1:
        return _mutate(rng, example)
    if kind == 2:
        return rng.choice(_ATOMS)
    if kind == 3:
        return "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(1, 24)))
    if kind == 4:
        return json.dumps(_random_json(rng))
    return ":".join(rng.choice([*_ATOMS, example]) for _ in range(rng.randrange(2, 7)))


def _query(rng: random.Random) -> list[tuple[str, str]]:
    spellings = list(SPELLINGS)
    items = []
    for _ in range(rng.randrange(1, 6)):
        spelling = rng.choice(spellings) if rng.random() < 0.95 else _mutate(rng, "width")
        name = SPELLINGS[spelling].name if spelling in SPELLINGS else "width"
        items.append((spelling, _value(rng, name)))
    return items


@pytest.mark.parametrize("seed", range(8))
def test_only_invalid_transformation_errors_escape(seed: int) -> None:
    rng = random.Random(seed)
    accepted, details = 0, []
    for _ in range(2500):
        query = _query(rng)
        preset = rng.choice([None, None, None, *PRESETS, "nope"])
        try:
            transformation = parse_transformations(query, preset)
        except InvalidTransformationError as error:
            details.append(error.detail)
            continue
        accepted += 1
        canonical = transformation.canonical()
        assert canonical == parse_transformations(query, preset).canonical()
        assert isinstance(transformation.is_identity, bool)
        hash(transformation)
    assert accepted > 100  # the generator also reaches the valid paths
    assert all(0 < len(detail) < 1000 for detail in details)
