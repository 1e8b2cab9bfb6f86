"""A render under a ``RenderControl`` stops inside libvips, on every loading path, when it runs
past its time budget or is cancelled from another thread."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from imgwired.errors import RenderTimeoutError, RequestAbandonedError, ServiceBusyError
from imgwired.media_types import SupportedMimeType
from imgwired.transform.control import RenderControl, StopReason
from imgwired.transform.grammar.params import OutputFormat, parse_transformations
from imgwired.transform.render import render
from imgwired.transform.watermark import MarkFile
from tests.images.helpers import noisy_jpeg
from tests.imaging.samples import animation
from tests.transform.helpers import quadrants, save

HEAVY = "w=8192&h=8192&enlarge=1&resizing_type=fill&blur=100"


def run(path: Path, query: str, control: RenderControl, output: OutputFormat) -> None:
    t = parse_transformations(parse_qsl(query))
    source_type = SupportedMimeType.GIF if path.suffix == ".gif" else SupportedMimeType.JPEG
    render(path, source_type, t, output, max_pixels=10**9, control=control)


@pytest.mark.parametrize(
    ("query", "output"),
    [
        (HEAVY, OutputFormat.PNG),  # shrink-on-load, streaming
        (f"{HEAVY}&ra=cubic", OutputFormat.JPEG),  # loaded whole, then resized
        (f"{HEAVY}&rot=45", OutputFormat.PNG),  # held in memory for the rotation
        (  # a smart crop looks at every pixel first
            "w=6000&h=6000&enlarge=1&resizing_type=cover&g=attention&blur=100",
            OutputFormat.WEBP,
        ),
    ],
)
def test_a_render_past_its_time_budget_stops(
    tmp_path: Path, query: str, output: OutputFormat
) -> None:
    source = save(quadrants(1200, 900), tmp_path / "source.jpg", Q=90)
    control = RenderControl(time_budget=0.3)
    control.start()
    started = time.perf_counter()
    with pytest.raises(RenderTimeoutError, match=r"0\.3 s"):
        run(source, query, control, output)
    assert time.perf_counter() - started < 3


def test_an_animation_stops_between_frames(tmp_path: Path) -> None:
    source = save(animation(12, 400), tmp_path / "animated.gif")
    control = RenderControl(time_budget=0.2)
    control.start()
    started = time.perf_counter()
    with pytest.raises(RenderTimeoutError):
        run(source, "w=4000&enlarge=1&blur=60", control, OutputFormat.GIF)
    assert time.perf_counter() - started < 3


@pytest.mark.parametrize(
    ("reason", "error"),
    [(StopReason.ABANDONED, RequestAbandonedError), (StopReason.SHUTDOWN, ServiceBusyError)],
)
def test_a_render_cancelled_from_another_thread_stops(
    tmp_path: Path, reason: StopReason, error: type[Exception]
) -> None:
    source = save(quadrants(1200, 900), tmp_path / "source.jpg", Q=90)
    control = RenderControl(time_budget=60)
    control.start()
    watched = threading.Event()
    original_watch = control.watch

    def watch_and_tell(image: object) -> object:
        watched.set()
        return original_watch(image)

    control.watch = watch_and_tell  # type: ignore[method-assign]
    cancel = threading.Thread(target=lambda: watched.wait(10) and control.cancel(reason))
    cancel.start()
    started = time.perf_counter()
    with pytest.raises(error):
        run(source, HEAVY, control, OutputFormat.PNG)
    cancel.join()
    assert time.perf_counter() - started < 3


def test_the_webp_encoder_stops_in_its_last_step(tmp_path: Path) -> None:
    """libwebp encodes after the last tile, where no progress signal fires: the kill flag set
    at the deadline stops it there (this render needs several seconds to encode)."""
    source = tmp_path / "noise.jpg"
    source.write_bytes(noisy_jpeg(1200, 900))
    control = RenderControl(time_budget=3)
    control.start()
    started = time.perf_counter()
    with pytest.raises(RenderTimeoutError):
        run(source, "w=6000&h=4500&enlarge=1&resizing_type=fill", control, OutputFormat.WEBP)
    assert time.perf_counter() - started < 5


def test_the_watermark_is_made_under_the_same_control(tmp_path: Path) -> None:
    """The watermark's image is loaded in a pipeline of its own: it is watched too, and a load
    stopped there is heard as the render stopped, not as an unreadable watermark."""
    source = save(quadrants(400, 300), tmp_path / "source.jpg", Q=90)
    mark = MarkFile(save(quadrants(400, 300), tmp_path / "mark.png"), SupportedMimeType.PNG)
    control = RenderControl(time_budget=60)
    control.start()
    watched: list[object] = []
    original_watch = control.watch

    def watch_and_stop(image: object) -> object:
        watched.append(image)
        if len(watched) == 2:  # the source first, then the watermark's image
            control.cancel(StopReason.ABANDONED)
        return original_watch(image)

    control.watch = watch_and_stop  # type: ignore[method-assign]
    t = parse_transformations(parse_qsl(f"w=200&wm={uuid.uuid4()}&wms=3000"))
    with pytest.raises(RequestAbandonedError):
        render(
            source,
            SupportedMimeType.JPEG,
            t,
            OutputFormat.PNG,
            max_pixels=10**9,
            mark_file=mark,
            control=control,
        )
    assert len(watched) == 2
