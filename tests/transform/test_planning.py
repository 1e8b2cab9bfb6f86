"""The geometry plan: sizes, boxes and limits worked out before any pixel is read."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from imgwired.errors import InvalidTransformationError, TransformationTooLargeError
from imgwired.transform.grammar.params import parse_transformations
from imgwired.transform.grammar.values import Anchor, Gravity, Share
from imgwired.transform.planning import Plan, Region, place, plan, position


def planned(query: str, source: tuple[int, int] = (2000, 1000), limit: int = 8192) -> Plan:
    transformation = parse_transformations(parse_qsl(query, keep_blank_values=True))
    return plan(source, transformation, max_dimension=limit)


@pytest.mark.parametrize(
    ("query", "resized", "cover", "canvas"),
    [
        ("", (2000, 1000), None, None),
        ("w=500", (500, 250), None, None),
        ("h=500", (1000, 500), None, None),
        ("w=500&h=500", (500, 250), None, None),
        ("w=500&h=500&resizing_type=inside", (500, 250), None, None),
        ("w=500&h=500&resizing_type=cover", (1000, 500), (500, 500), None),
        ("w=500&h=500&resizing_type=contain", (500, 250), None, (500, 500)),
        ("w=500&h=500&resizing_type=fill", (500, 500), None, None),
        ("w=500&h=500&resizing_type=outside", (1000, 500), None, None),
        ("w=500&resizing_type=cover", (500, 250), None, None),
        ("w=4000", (2000, 1000), None, None),
        ("w=4000&enlarge=1", (4000, 2000), None, None),
        ("w=4000&h=4000&resizing_type=cover", (2000, 1000), None, None),
        ("w=500&h=4000&resizing_type=cover", (2000, 1000), (500, 1000), None),
        ("w=250&dpr=2", (500, 250), None, None),
        ("dpr=0.5", (1000, 500), None, None),
        ("dpr=2", (2000, 1000), None, None),
        ("dpr=2&enlarge=1", (4000, 2000), None, None),
        ("w=500&min-width=800", (800, 400), None, None),
        ("min-height=1500", (3000, 1500), None, None),
        ("w=500&h=500&resizing_type=fill&mh=600", (500, 600), None, None),
        ("w=500&rot=90", (500, 1000), None, None),
        ("w=500&rot=270&h=100&resizing_type=fill", (500, 100), None, None),
        ("w=7&h=3&resizing_type=cover", (7, 4), (7, 3), None),
    ],
)
def test_resize_sizes(
    query: str,
    resized: tuple[int, int],
    cover: tuple[int, int] | None,
    canvas: tuple[int, int] | None,
) -> None:
    result = planned(query)
    assert (result.resized, result.cover, result.canvas) == (resized, cover, canvas)


def test_rotation_splits_into_quarter_turns_and_a_rest() -> None:
    assert (planned("rot=90").quarter_turns, planned("rot=90").residual_angle) == (1, 0)
    assert (planned("rot=200").quarter_turns, planned("rot=200").residual_angle) == (2, 20)
    assert planned("rot=-45").quarter_turns == 3


@pytest.mark.parametrize(
    ("crop", "region"),
    [
        ("10:20:100:50", Region(10, 20, 100, 50)),
        ("10:20:100:50:se", Region(2000 - 110, 1000 - 70, 100, 50)),
        ("0:0:100:50:ce", Region(950, 475, 100, 50)),
        ("10:-10:100:50:north", Region(960, 0, 100, 40)),
        ("1950:990:100:50", Region(1950, 990, 50, 10)),
    ],
)
def test_source_regions(crop: str, region: Region) -> None:
    assert planned(f"crop={crop}").region == region


def test_a_region_outside_the_source_is_refused() -> None:
    with pytest.raises(InvalidTransformationError, match="outside the 2000x1000 image"):
        planned("crop=3000:0:10:10")


def test_the_resize_works_on_the_region() -> None:
    assert planned("crop=0:0:400:100&w=200").resized == (200, 50)


def test_explicit_sizes_over_the_limit_are_refused() -> None:
    with pytest.raises(TransformationTooLargeError, match="width x dpr asks for 10000"):
        planned("w=5000&dpr=2")
    with pytest.raises(TransformationTooLargeError, match="min-height"):
        planned("mh=8000&dpr=1.5")
    with pytest.raises(TransformationTooLargeError, match="Enlarging"):
        planned("w=100&h=8000&resizing_type=outside&enlarge=1", source=(100, 1))


def test_a_large_source_without_a_size_is_scaled_to_fit() -> None:
    assert planned("", source=(20000, 5000)).resized == (8192, 2048)
    assert planned("w=500", source=(1000, 40000)).resized == (204, 8192)
    assert planned("", source=(300, 100), limit=150).resized == (150, 50)


def test_place() -> None:
    assert place((100, 50), (20, 10), Gravity.CENTER) == (40, 20)
    assert place((100, 50), (20, 10), Gravity.SOUTHEAST) == (80, 40)
    assert place((100, 50), (20, 10), Gravity.NORTHWEST) == (0, 0)
    assert place((100, 50), (20, 10), Gravity.ATTENTION) == (40, 20)


def test_offsets_move_a_box_toward_the_inside_and_never_past_the_edges() -> None:
    assert position((100, 50), (20, 10), Anchor(Gravity.SOUTHEAST, 5, 5)) == (75, 35)
    assert position((100, 50), (20, 10), Anchor(Gravity.CENTER, -5, 5)) == (35, 25)
    assert position((100, 50), (20, 10), Anchor(Gravity.NORTHWEST, 500, -500)) == (80, 0)
    assert position((100, 50), (20, 10), Anchor(Gravity.NORTH, Share(0.1), 0)) == (50, 0)
    assert position((100, 50), (20, 10), Anchor(Gravity.WEST, 5, 0), dpr=2) == (10, 20)
    # A smart gravity has no offsets: it finds its own place.
    assert Anchor(Gravity.ATTENTION, 5, 5) == Anchor(Gravity.ATTENTION)


def test_a_region_at_a_smart_gravity_is_found_by_looking() -> None:
    region = planned("crop=10:10:500:400:attention").region
    # Its size is known now; the place, once the pixels are read (the centre if they cannot be).
    assert region == Region(750, 300, 500, 400, look=Gravity.ATTENTION)
    assert planned("crop=0:0:5000:400:entropy").region == Region(0, 300, 2000, 400, Gravity.ENTROPY)
