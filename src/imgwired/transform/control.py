"""``RenderControl``: a render's time budget and cancel flag, enforced inside libvips.

libvips computes pixels only when a sink pulls them (an encoder, ``copy_memory``, a smart
crop), in its own worker threads, where Python cannot interrupt it. A watched image asks
libvips for progress signals (``set_progress``); every image built from it afterwards inherits
them, so each sink downstream reports ``eval`` while it runs and checks the watched image's
kill flag. The ``eval`` handler sets that flag once the render is cancelled or past its
deadline; libvips stops the sink at its next tile, frees what it was computing, and the call
in Python raises ``pyvips.Error``, which ``error`` turns into what the client should hear.

Some encoders end in one long step after the last tile, where no ``eval`` fires: libwebp
checks the kill flag as it goes, so the flag is also set from outside at once when the render
is cancelled, and by a timer at its deadline. libaom (AVIF) and GIF quantisation check
nothing: those steps run to their end, which the cost budget keeps short.

Thread-safety: ``cancel`` may be called from any thread; the handler runs in libvips' threads.
"""

from __future__ import annotations

import enum
import threading
import time
from typing import Any

from imgwired.errors import (
    ImgwiredError,
    RenderTimeoutError,
    RequestAbandonedError,
    ServiceBusyError,
)


class StopReason(enum.Enum):
    ABANDONED = "abandoned"
    """Every request waiting for the render has left."""
    SHUTDOWN = "shutdown"
    """The server is stopping."""
    TIMEOUT = "timeout"
    """The render ran past its time budget."""


class RenderControl:
    """The deadline and cancel flag of one render; ``watch`` its source images."""

    def __init__(self, *, time_budget: float) -> None:
        self.time_budget = time_budget
        self._deadline = float("inf")
        self._cancelled: StopReason | None = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        # The pyvips objects that hold the signal handlers: libvips calls back through them,
        # so they must outlive every computation of the render.
        self._watched: list[Any] = []

    def start(self) -> None:
        """The clock starts when the render does, not while it waits for a thread."""
        self._deadline = time.monotonic() + self.time_budget
        self._timer = threading.Timer(self.time_budget, self.cancel, (StopReason.TIMEOUT,))
        self._timer.daemon = True
        self._timer.start()

    def cancel(self, reason: StopReason) -> None:
        """Stop the render now: libvips stops at its next tile or encoder check. The first
        reason given is kept."""
        if self._cancelled is None:
            self._cancelled = reason
        self._kill_watched()

    @property
    def stop_reason(self) -> StopReason | None:
        """Why the render must stop now, or None while it may go on."""
        if self._cancelled is not None:
            return self._cancelled
        if time.monotonic() > self._deadline:
            return StopReason.TIMEOUT
        return None

    def watch(self, image: Any) -> Any:
        """``image``, reporting progress to this control; returns it for chaining.

        Watch the first image of a pipeline, before anything is built from it.
        """
        image.set_progress(True)
        image.signal_connect("eval", self._on_eval)
        with self._lock:
            self._watched.append(image)
        if self.stop_reason is not None:
            image.set_kill(True)
        return image

    def check(self) -> None:
        """Raise the stop reason's error now, between steps, if there is one."""
        error = self.error()
        if error is not None:
            raise error

    def error(self) -> ImgwiredError | None:
        """What the client hears when the render was stopped, or None if it was not."""
        reason = self.stop_reason
        if reason is StopReason.TIMEOUT:
            return RenderTimeoutError(
                f"The render ran past its time budget of {self.time_budget:g} s "
                "(IMGWIRED_RENDER_TIMEOUT_SECONDS) and was stopped"
            )
        if reason is StopReason.SHUTDOWN:
            return ServiceBusyError("The server is shutting down; retry shortly")
        if reason is StopReason.ABANDONED:
            return RequestAbandonedError("Every client waiting for this render has left")
        return None

    def release(self) -> None:
        """Stop the clock and drop the watched images, once none of their computations can
        run any more."""
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._watched.clear()

    def _on_eval(self, image: Any, _progress: Any) -> None:
        if self.stop_reason is not None:
            image.set_kill(True)

    def _kill_watched(self) -> None:
        with self._lock:
            for image in self._watched:
                image.set_kill(True)
