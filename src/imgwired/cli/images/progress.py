"""How bulk commands show progress: a live bar on a terminal, plain lines everywhere else.

On a terminal (stdout is a TTY and ``--json`` is off) a ``rich`` progress bar stays at the
bottom while each result line scrolls above it. Piped or redirected output, and ``--json``,
get the result lines alone, one per line, so logs and scripts read them line by line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn, TaskID


class Display:
    """Result lines and, on a terminal, one progress task at a time."""

    def __init__(self, *, as_json: bool) -> None:
        self.as_json = as_json
        self.live = not as_json and sys.stdout.isatty()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._in_bytes = False

    @contextmanager
    def showing(self) -> Iterator[Display]:
        if not self.live:
            yield self
            return
        from rich.progress import Progress

        with Progress(*self._columns(), transient=False) as progress:
            self._progress = progress
            try:
                yield self
            finally:
                self._progress = None

    def task(self, description: str, total: int | None, *, in_bytes: bool = False) -> None:
        """Start showing a task (``total`` None: not known yet, a pulsing bar)."""
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.stop_task(self._task)
        self._in_bytes = in_bytes
        self._task = self._progress.add_task(description, total=total, count="")
        self.advance(0)

    def advance(self, amount: int = 1, *, total: int | None = None) -> None:
        if self._progress is None or self._task is None:
            return
        self._progress.update(self._task, advance=amount, total=total)
        task = next(t for t in self._progress.tasks if t.id == self._task)
        done, whole = int(task.completed), task.total
        if self._in_bytes:
            count = human_bytes(done) + (f" / {human_bytes(int(whole))}" if whole else "")
        else:
            count = f"{done}/{int(whole or 0)}"
        self._progress.update(self._task, count=count)

    def describe(self, description: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=description)

    def line(self, text: str) -> None:
        """A result line for people (left out under ``--json``)."""
        if self.as_json:
            return
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, flush=True)

    def record(self, document: dict[str, Any]) -> None:
        """A result as one JSON line (under ``--json`` only)."""
        if self.as_json:
            print(json.dumps(document, default=str), flush=True)

    def _columns(self) -> tuple[ProgressColumn, ...]:
        from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

        return (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
        )


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{count} B"
