"""The cost model: the output a render will make, known before decoding, matches what it makes;
dearer renders cost more; the budget names the limit it refuses by."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from imgwired.errors import RenderBudgetExceededError, TransformationTooLargeError
from imgwired.media_types import SupportedMimeType
from imgwired.transform.control import RenderControl
from imgwired.transform.cost import RenderBudget, RenderEstimate, SourceShape, estimate
from imgwired.transform.grammar.params import OutputFormat, parse_transformations
from imgwired.transform.render import render
from tests.imaging.samples import animation
from tests.transform.helpers import save, transform

PNG_200x100 = SourceShape(SupportedMimeType.PNG, 200, 100)


def planned(query: str, output: OutputFormat = OutputFormat.PNG, **source: int) -> RenderEstimate:
    shape = PNG_200x100 if not source else SourceShape(SupportedMimeType.PNG, **source)
    return estimate(shape, parse_transformations(parse_qsl(query)), output)


@pytest.mark.parametrize(
    "query",
    [
        "w=50",
        "w=80&h=80&resizing_type=cover",
        "w=300&h=300&resizing_type=contain",
        "w=120&h=30&resizing_type=fill",
        "w=400&enlarge=1&resizing_type=outside&h=400",
        "c=50:40",
        "c=10:10:300:40",
        "rot=90&w=40",
        "rot=30",
        "rot=200&bg=fff",
        "pd=7:3",
        "ex=1:2:3:4",
        "exar=3",
        "exar=1:4&w=50",
        "dpr=2&enlarge=1&pd=5",
        "z=2&w=60",
        "min-width=260",
        "c=30:20&dpr=1.5",
        "c=0.5:0.25",
        "w=80&h=80&resizing_type=cover&c=0.5:40",
        "w=300&h=260&extend=true:so",
        "w=300&extend=1:ce:10:20",
        "exar=true&w=120&h=40&resizing_type=fill",
        "exar=true:no&w=50",
        "pd=10:20",
        "pd=%7B%22all%22:3,%22top%22:1,%22background%22:%22f00%22%7D",
        "wmt=%7B%22text%22:%22x%22%7D&rot=90",
    ],
)
def test_the_planned_output_is_the_rendered_output(quadrant_png: Path, query: str) -> None:
    rendered, _ = transform(quadrant_png, query, OutputFormat.PNG)
    planned_output = planned(query)
    assert (planned_output.width, planned_output.height) == (rendered.width, rendered.height)


def test_frames_count_when_the_output_keeps_them(tmp_path: Path) -> None:
    shape = SourceShape(SupportedMimeType.GIF, 100, 100, pages=6)
    t = parse_transformations([("w", "50")])
    assert estimate(shape, t, OutputFormat.GIF).frames == 6
    assert estimate(shape, t, OutputFormat.WEBP).output_pixels == 6 * 50 * 50
    assert estimate(shape, t, OutputFormat.JPEG).frames == 1  # the first frame only


def test_what_costs_more_is_priced_higher() -> None:
    small, large = planned("w=100"), planned("w=2000&enlarge=1")
    assert small.cost < large.cost
    assert large.cost < planned("w=2000&enlarge=1", OutputFormat.AVIF).cost
    assert planned("w=2000&enlarge=1").cost < planned("w=2000&enlarge=1&blur=50").cost
    assert planned("w=2000&enlarge=1&blur=1").cost < planned("w=2000&enlarge=1&blur=90").cost
    # A thumbnail of a huge source still pays for decoding it.
    huge = planned("w=100", width=12_000, height=9_000)
    assert huge.cost > 10 * small.cost


def test_a_watermark_is_priced_on_every_frame() -> None:
    mark = "&wm=0190f0c4-7b1e-7cc1-8a5e-3f4d2a1b9c00"
    plain, marked = planned("w=2000&enlarge=1"), planned("w=2000&enlarge=1" + mark)
    assert (marked.width, marked.height) == (plain.width, plain.height)
    assert marked.cost > plain.cost
    assert planned("w=2000&enlarge=1&wmt=%7B%22text%22:%22x%22%7D").cost == marked.cost

    def extra(pages: int) -> int:
        shape = SourceShape(SupportedMimeType.GIF, 100, 100, pages=pages)
        costs = [
            estimate(shape, parse_transformations(parse_qsl(query)), OutputFormat.GIF).cost
            for query in ("w=50", "w=50" + mark)
        ]
        return costs[1] - costs[0]

    assert extra(pages=20) > extra(pages=1)


def test_the_budget_names_the_limit_and_the_value() -> None:
    budget = RenderBudget(max_output_pixels=1_000_000, max_cost=300, cheap_cost=50)
    budget.check(planned("w=500&enlarge=1"))
    with pytest.raises(RenderBudgetExceededError, match="IMGWIRED_MAX_OUTPUT_PIXELS") as caught:
        budget.check(planned("w=2000&enlarge=1"))
    assert "2000x1000 pixels, 2,000,000 in all, over the limit of 1,000,000" in caught.value.detail
    assert caught.value.limit == "IMGWIRED_MAX_OUTPUT_PIXELS"
    with pytest.raises(RenderBudgetExceededError, match="IMGWIRED_MAX_RENDER_COST") as caught:
        budget.check(planned("w=900&enlarge=1&sharpen=1", OutputFormat.GIF))
    assert "900x450 gif from a 200x100 png" in caught.value.detail
    assert budget.is_cheap(planned("w=100"))
    assert not budget.is_cheap(planned("w=900&enlarge=1&blur=90", OutputFormat.WEBP))


def test_a_side_over_the_limit_is_refused_as_too_large() -> None:
    budget = RenderBudget(max_output_pixels=10**9, max_cost=10**9, cheap_cost=1)
    with pytest.raises(TransformationTooLargeError, match="16400x100"):
        budget.check(planned("ex=0:8100"))


def test_the_render_checks_the_budget_on_the_real_header(tmp_path: Path) -> None:
    """A source the database knows nothing of is checked by the render itself, from the
    header: frames included, before any pixel is decoded."""
    source = save(animation(5, 100), tmp_path / "animated.gif")
    budget = RenderBudget(max_output_pixels=30_000, max_cost=10**6, cheap_cost=1)
    t = parse_transformations([("w", "100")])
    with pytest.raises(RenderBudgetExceededError, match="in 5 frames"):
        render(source, SupportedMimeType.GIF, t, OutputFormat.GIF, max_pixels=10**8, budget=budget)
    control = RenderControl(time_budget=10)
    control.start()
    rendered = render(
        source,
        SupportedMimeType.GIF,
        t,
        OutputFormat.PNG,
        max_pixels=10**8,
        budget=budget,
        control=control,  # a watched render that is never stopped runs to the end
    )
    assert (rendered.width, rendered.height) == (100, 100)
