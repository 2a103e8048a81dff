"""A fleet's night in one tracking issue: a row per repository, failures first, edited
night after night and closed once every repository is clean.

The results are the matrix jobs' step outputs, one ``result.json`` per job (an artifact
each); a repository the plan names without a result failed before it could say so.
Pure apart from reading the results; the issue is written through a ``Tracker``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.messages import OWN_COMMENT_MARK

LABEL = "codex-fleet"
MARK = f"{OWN_COMMENT_MARK}fleet -->"
TITLE = "Fleet maintenance"
_OPEN_PULL = frozenset({"pr_opened", "pr_updated", "pushed"})
_QUIET = frozenset({"no_changes", "skipped", "planned", "reviewed"})


@dataclass(frozen=True)
class Result:
    repository: str
    conclusion: str  # "" when the job left no result
    pr_url: str = ""
    pr_number: str = ""
    cost_usd: str = ""
    duration_seconds: str = ""
    summary: str = ""

    @property
    def failed(self) -> bool:
        return self.conclusion not in _OPEN_PULL | _QUIET

    @property
    def clean(self) -> bool:
        return self.conclusion in _QUIET and not (self.pr_url or self.pr_number)

    def pull(self, server_url: str) -> str:
        if self.pr_url or not self.pr_number:
            return self.pr_url
        return f"{server_url}/{self.repository}/pull/{self.pr_number}"


class Tracker(Protocol):
    """The fleet repository's issues, as the rollup needs them."""

    def find_issue(self, label: str, mark: str) -> tuple[int, bool] | None:
        """The newest issue with ``label`` whose body has ``mark``: (number, is open)."""

    def open_issue(self, title: str, body: str, label: str) -> int: ...

    def edit_issue(self, number: int, body: str, *, open: bool) -> None: ...


def _result(data: Mapping[str, Any]) -> Result | None:
    repository, outputs = data.get("repository"), data.get("outputs")
    if not isinstance(repository, str) or not isinstance(outputs, Mapping):
        return None
    said = {k: str(v) for k, v in outputs.items() if isinstance(v, str | int | float)}
    return Result(
        repository,
        said.get("conclusion", ""),
        said.get("pr_url", ""),
        said.get("pr_number", ""),
        said.get("cost_usd", ""),
        said.get("duration_seconds", ""),
        said.get("summary", ""),
    )


def read_results(folder: Path, planned: Sequence[str] = ()) -> list[Result]:
    """Every ``result.json`` under ``folder``; the planned repositories without one as
    failures."""
    found: dict[str, Result] = {}
    for path in sorted(folder.rglob("result.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        result = _result(data) if isinstance(data, dict) else None
        if result is not None:
            found[result.repository] = result
    for repository in planned:
        found.setdefault(repository, Result(repository, ""))
    return list(found.values())


def _cell(text: str) -> str:
    """One table cell: a job's outputs can hold anything, and must not break the table."""
    return " ".join(text.replace("|", "\\|").split())[:200]


def body(results: Iterable[Result], run_url: str | None, server_url: str) -> str:
    rows = sorted(results, key=lambda r: (not r.failed, r.clean, r.repository.lower()))
    lines = [
        "| Repository | Result | Pull request | Cost (USD) | Duration (s) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        result = f"❌ {r.conclusion or 'no result'}" if r.failed else r.conclusion
        cells = (r.repository, result, r.pull(server_url), r.cost_usd, r.duration_seconds)
        lines.append("| " + " | ".join(_cell(c) or "—" for c in cells) + " |")
    failed = sum(r.failed for r in rows)
    head = f"{failed} of {len(rows)} repositories failed." if failed else "No repository failed."
    run = f" Last night's run: {run_url}." if run_url else ""
    return "\n".join([f"{head}{run}", "", *lines, "", MARK]) + "\n"


def rollup(
    tracker: Tracker, results: Sequence[Result], run_url: str | None, server_url: str
) -> tuple[int, bool]:
    """Create or edit the tracking issue; (its number, whether it stays open)."""
    text = body(results, run_url, server_url)
    still = not all(r.clean for r in results)
    found = tracker.find_issue(LABEL, MARK)
    if found is None:
        if not still:
            return 0, False  # nothing to track, and no issue to close
        return tracker.open_issue(TITLE, text, LABEL), True
    number, _ = found
    tracker.edit_issue(number, text, open=still)
    return number, still
