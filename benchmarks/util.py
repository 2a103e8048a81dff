"""Small shared helpers: timing summaries, subprocess timing, formatting."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """Repeated measurements of one quantity (seconds unless said otherwise)."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def min(self) -> float:
        return min(self.values)

    def ms(self) -> str:
        """``median (min)`` in milliseconds."""
        return f"{self.median * 1000:,.0f} ms (min {self.min * 1000:,.0f})"

    def s(self) -> str:
        return f"{self.median:.2f} s (min {self.min:.2f})"


def sample(values: Sequence[float]) -> Sample:
    return Sample(tuple(values))


def base_env(**extra: str) -> dict[str, str]:
    """The small environment the rig gives ``python -m bot`` (no inherited Python flags)."""
    return {"PATH": os.environ["PATH"], **extra}


def time_command(argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> float:
    """Wall time from spawning ``argv`` to its exit, like the runner sees it."""
    started = time.perf_counter()
    subprocess.run(argv, env=dict(env), cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def git(*argv: str, cwd: str, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *argv],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(argv)} failed: {done.stderr.strip()}")
    return done.stdout


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x" if reference > 0 else "n/a"


def verdict(ok: bool) -> str:
    return "✅" if ok else "❌"
