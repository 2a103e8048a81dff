"""Live progress: the events' wire form, the picture they make, and how often it is shown.

Everything here comes from the agent, so every test is an attack: text that would
mention someone, link an issue, break out of a code block, show a secret or outgrow
the comment.
"""

from __future__ import annotations

import itertools
import re

import pytest

from bot.progress import RECENT_COMMANDS, Progress, Throttle
from bot.progress_events import (
    CommandFinished,
    CommandStarted,
    Event,
    FileChanged,
    PlanStep,
    PlanUpdated,
    from_wire,
    to_wire,
)
from bot.progress_text import LIMIT, NOT_AVAILABLE, working

SECRET = "ghs_" + "S3cr3tT0k3n" * 3
EVENTS: list[Event] = [
    PlanUpdated((PlanStep("Read the code", "completed"), PlanStep("Fix it", "in_progress"))),
    CommandStarted("pytest -q"),
    CommandFinished("pytest -q", 1),
    CommandFinished("killed", None),
    FileChanged("src/app.py"),
]


def picture(*events: Event, available: bool = True) -> str:
    progress = Progress()
    for event in events:
        progress.updated(event)
    header = "👀 Working on it."
    return working(header, progress, spent="1 tokens", available=available, secrets=[SECRET])


@pytest.mark.parametrize("event", EVENTS)
def test_every_event_crosses_the_wire_unchanged(event: Event) -> None:
    assert from_wire(to_wire(event)) == event


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "plan",
        [],
        {"kind": "plan", "steps": []},  # no version
        {"v": 2, "kind": "file", "path": "a"},  # a version this one cannot read
        {"v": 1, "kind": "shell", "command": "rm -rf /"},
        {"v": 1, "kind": "command", "command": ["not", "text"]},
        {"v": 1, "kind": "file", "path": 7},
        {"v": 1, "kind": "plan", "steps": "do it"},
    ],
)
def test_an_event_the_bot_cannot_read_is_dropped(raw: object) -> None:
    assert from_wire(raw) is None


def test_a_hostile_event_is_bounded_before_the_bot_keeps_it() -> None:
    steps: list[object] = [{"step": "x" * 100_000, "status": "pending"}] * 1_000
    steps += [{"step": "bad", "status": "skipped"}, {"status": "pending"}, "text"]
    plan = from_wire({"v": 1, "kind": "plan", "steps": steps})
    assert isinstance(plan, PlanUpdated)
    assert len(plan.steps) <= 30
    assert all(len(step.text) <= 2_000 for step in plan.steps)
    command = from_wire({"v": 1, "kind": "command", "command": "a\n" * 10_000, "exit": "0"})
    assert command == CommandFinished(("a " * 999) + "a…", None)


def test_the_picture_shows_the_plan_the_last_commands_and_the_files() -> None:
    body = picture(*EVENTS)
    assert "✅ Read the code" in body
    assert "⏳ Fix it" in body
    assert "$ pytest \\-q" not in body  # commands are in a code block, not escaped
    assert "$ pytest -q  (exit 1)" in body
    assert "src/app\\.py" in body
    assert "Spent so far: 1 tokens." in body


def test_only_the_last_commands_are_shown_but_all_are_counted() -> None:
    events: list[Event] = [CommandFinished(f"step {n}", 0) for n in range(12)]
    body = picture(*events, CommandStarted("make"))
    assert "step 11" in body
    assert "step 0 " not in body
    assert body.count("$ ") == RECENT_COMMANDS
    assert "$ make  (running)" in body
    assert "(12 finished so far)" in body


def test_nothing_the_agent_writes_mentions_anyone_or_links_an_issue() -> None:
    body = picture(
        PlanUpdated((PlanStep("ping @octocat and @octo-org/admins about #1", "pending"),)),
        FileChanged("@everyone fixes #12.md"),
    )
    assert "@octocat" not in body
    assert "@octo-org" not in body
    assert "@everyone" not in body
    assert "#1 " not in body
    assert "#12" not in body


def test_markup_in_the_plan_renders_as_text() -> None:
    hostile = "<img src=x onerror=alert(1)> [click](https://evil.example) **bold** ![i](x)"
    body = picture(PlanUpdated((PlanStep(hostile, "pending"),)))
    unescaped = re.findall(r"(?<!\\)(<img|\]\(|\*\*bold|!\[)", body)
    assert unescaped == []


def test_a_command_cannot_close_its_code_block() -> None:
    body = picture(CommandStarted("echo ````\n@octocat **now markup** ````"))
    block = body.split("**Last commands**", 1)[1]
    fence = block.split("\n")[1].removesuffix("text")
    assert len(fence) > 4  # longer than the command's own run of backticks
    inside = block.split(fence)[1]
    assert "@octocat **now markup**" in inside  # shown as typed, inside the block


def test_a_secret_the_agent_prints_is_redacted_everywhere() -> None:
    body = picture(
        PlanUpdated((PlanStep(f"use {SECRET}", "pending"),)),
        CommandStarted(f"curl -H 'Authorization: token {SECRET}' api"),
        FileChanged(f"{SECRET}.txt"),
    )
    assert SECRET not in body
    assert SECRET[:12] not in body


def test_the_picture_stays_within_its_limit_whatever_the_agent_did() -> None:
    huge = [PlanStep("y" * 300, "pending")] * 30
    files = [FileChanged(f"{'d' * 120}/{n}") for n in range(1_000)]
    commands = [CommandFinished("`" * 200 + "z" * 300, 0) for _ in range(50)]
    body = picture(PlanUpdated(tuple(huge)), *commands, *files)
    assert len(body) <= LIMIT + 200  # the spend line and the header
    assert "**Last commands**" in body  # what fits is still shown
    assert body.rstrip().endswith("Spent so far: 1 tokens.")


def test_with_a_user_supplied_server_the_comment_says_progress_is_not_available() -> None:
    assert NOT_AVAILABLE in picture(available=False)
    assert NOT_AVAILABLE not in picture(*EVENTS)


def test_a_long_run_edits_at_most_once_per_interval_and_sixty_times_in_all() -> None:
    throttle = Throttle(interval=10.0, max_edits=60)
    throttle.started(0.0)
    edits = []
    for tick in range(30 * 60 * 10):  # half an hour, something new every 0.1 s
        now = tick / 10
        if throttle.allows(now):
            throttle.edited(now)
            edits.append(now)
    assert len(edits) == 60
    assert edits[0] >= 10.0  # the first version was posted at the start
    assert min(b - a for a, b in itertools.pairwise(edits)) >= 10.0
