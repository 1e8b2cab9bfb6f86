"""The fuzz suite's time budget: past it, the remaining examples are not sent, and the run says so.

``IMGWIRED_FUZZ_SECONDS`` (default 150) bounds the whole suite on one database;
``IMGWIRED_FUZZ_EXAMPLES`` (default 15 per operation and credential) and
``IMGWIRED_FUZZ_RANDOM=1`` (new cases each run instead of the same ones) make a deeper run.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import pytest

BUDGET_SECONDS = float(os.environ.get("IMGWIRED_FUZZ_SECONDS", "150"))


@dataclass
class FuzzBudget:
    """Wall-clock time left for sending examples, counted from the first one."""

    seconds: float
    started: float | None = None
    unsent: dict[str, int] = field(default_factory=dict)

    def allows(self, operation: str) -> bool:
        now = time.monotonic()
        if self.started is None:
            self.started = now
        if now - self.started <= self.seconds:
            return True
        self.unsent[operation] = self.unsent.get(operation, 0) + 1
        return False


_BUDGET = pytest.StashKey[FuzzBudget]()


@pytest.fixture(scope="session")
def fuzz_budget(request: pytest.FixtureRequest) -> FuzzBudget:
    return request.config.stash.setdefault(_BUDGET, FuzzBudget(BUDGET_SECONDS))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    budget = terminalreporter.config.stash.get(_BUDGET, None)
    if budget is not None and budget.unsent:
        terminalreporter.write_line(
            f"fuzz: the {budget.seconds:.0f} s budget ran out; "
            f"{sum(budget.unsent.values())} examples of {len(budget.unsent)} operations "
            "were not sent (raise IMGWIRED_FUZZ_SECONDS to send them)",
            yellow=True,
        )
