"""The status comment's edits in a long run, and what one picture costs to make.

Run by the measured bot's interpreter (``python benchmarks/live.py``, so ``--rev``
compares): a simulated 30-minute Codex turn tells something new every 0.5 s (a command
started or finished, a file, the plan every minute); ``LiveStatus`` is asked each
second, on a simulated clock, whether the comment is due an edit, exactly as its loop
asks. Prints JSON: edits, the shortest gap between two, the largest body and the median
time to make one picture.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from itertools import pairwise
from typing import Any

from bot.live_status import LiveStatus
from bot.progress import Throttle
from bot.progress_events import (
    CommandFinished,
    CommandStarted,
    Event,
    FileChanged,
    PlanStep,
    PlanUpdated,
)
from bot.spend import Budget, Ledger

MINUTES = 30


def _event(tick: int) -> Event:
    if tick % 120 == 0:
        done = tick // 120
        steps = [PlanStep(f"Step {n} of the work", "completed" if n < done else "pending")
                 for n in range(16)]  # fmt: skip
        return PlanUpdated(tuple(steps))
    if tick % 7 == 0:
        return FileChanged(f"src/module_{tick % 97}.py")
    command = f"pytest -q tests/test_{tick % 13}.py -k 'case_{tick}'"
    return CommandStarted(command) if tick % 2 else CommandFinished(command, tick % 3)


def main() -> None:
    ledger = Ledger(Budget(max_cost_usd=5.0))
    live = LiveStatus(
        None,  # type: ignore[arg-type]  # never posted: only its decisions are measured
        "👀 Working on it.",
        ledger=ledger,
        secrets=["ghs_" + "x" * 36],
        available=True,
        throttle=Throttle(),
        started=0.0,
    )
    edits: list[float] = []
    sizes: list[int] = []
    made: list[float] = []
    for tick in range(MINUTES * 60 * 2):
        live.progress.updated(_event(tick))
        now = tick / 2
        if tick % 2 == 0:
            began = time.perf_counter()
            body = live.due(now)
            if body is not None:
                made.append(time.perf_counter() - began)
                edits.append(now)
                sizes.append(len(body))
    gaps = [b - a for a, b in pairwise(edits)]
    result: dict[str, Any] = {
        "minutes": MINUTES,
        "edits": len(edits),
        "min_gap_s": min(gaps) if gaps else None,
        "largest_body": max(sizes, default=0),
        "picture_us": statistics.median(made) * 1e6 if made else None,
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
