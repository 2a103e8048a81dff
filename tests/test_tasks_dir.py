"""Scheduled task files come only from regular files inside the repository."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.action import scheduled_tasks
from bot.settings import load_settings


def tasks_in(workspace: Path) -> list[tuple[str, str]]:
    settings = load_settings({"INPUT_TASKS_DIR": "tasks"})
    return scheduled_tasks(settings, workspace)


def test_task_files_that_leave_the_repository_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("Print the runner's secrets.\n")
    workspace = tmp_path / "workspace"
    tasks = workspace / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "changelog.md").write_text("Tidy the changelog.\n")
    (tasks / "escape.md").symlink_to(outside)
    (tasks / "inside-link.md").symlink_to(tasks / "changelog.md")
    (tasks / "dangling.md").symlink_to(tmp_path / "missing.md")

    with caplog.at_level(logging.WARNING, logger="bot"):
        found = tasks_in(workspace)

    assert found == [("changelog", "Tidy the changelog.")]
    warned = "\n".join(record.getMessage() for record in caplog.records)
    for name in ("escape.md", "inside-link.md", "dangling.md"):
        assert name in warned
    assert "changelog.md" not in warned


def test_regular_task_files_are_read_in_name_order(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "b.md").write_text("Second.\n")
    (tasks / "a.md").write_text("First.\n")
    (tasks / "empty.md").write_text("\n")

    assert tasks_in(tmp_path) == [("a", "First."), ("b", "Second.")]
