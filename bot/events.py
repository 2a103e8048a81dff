"""What an event can ask for, and the pieces of a payload every trigger reads. Pure.

The triggers themselves are modules behind ``bot.triggers``; see
https://docs.github.com/en/actions/reference/events-that-trigger-workflows
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import EventError


class Trigger(enum.Enum):
    ISSUE_COMMENT = "issue_comment"
    WORKFLOW_DISPATCH = "workflow_dispatch"
    SCHEDULE = "schedule"
    ISSUE_LABELED = "issues"


@dataclass(frozen=True)
class Person:
    login: str
    id: int | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class Request:
    """Someone asked for a change."""

    trigger: Trigger
    prompt: str
    requester: Person | None = None
    issue_number: int | None = None
    issue_title: str = ""
    issue_body: str = ""
    comment_id: int | None = None
    on_pull_request: bool = False
    task: str | None = None  # a named scheduled task: its own branch and pull request
    default_branch: str | None = None  # from the event, when it says (saves a request)


@dataclass(frozen=True)
class Batch:
    """A scheduled run's named tasks, worked through one after another."""

    requests: tuple[Request, ...]


@dataclass(frozen=True)
class EmptyRequest:
    """The trigger word with nothing after it: answer with how to use it."""

    requester: Person
    issue_number: int
    comment_id: int
    trigger: Trigger = Trigger.ISSUE_COMMENT


@dataclass(frozen=True)
class Subcommand:
    """A reserved word after the trigger (``/codex review``): a command, not a prompt."""

    word: str
    requester: Person
    issue_number: int
    comment_id: int
    trigger: Trigger = Trigger.ISSUE_COMMENT


@dataclass(frozen=True)
class Skip:
    """Nothing to do; ``reason`` is the one log line that says why."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class LabelRequest(Request):
    """An issue labelled to ask: its title and body are the request."""

    label: str


Parsed = Request | Batch | EmptyRequest | Subcommand | Skip


def find_prompt(body: str, trigger: str) -> str | None:
    """The text after ``trigger`` at the start of a line, outside quotes and code fences.

    Returns None without a trigger, "" for the bare trigger.
    """
    lines = body.replace("\r\n", "\n").split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        marker = stripped[:3]
        if marker in ("```", "~~~"):
            fence = None if fence == marker else (fence or marker)
            continue
        if fence or stripped.startswith(">"):
            continue
        if stripped == trigger or stripped.startswith((trigger + " ", trigger + "\t")):
            rest = [stripped[len(trigger) :].strip(), *lines[index + 1 :]]
            return "\n".join(rest).strip()
    return None


def person(user: Any) -> Person:
    """The sender of an event."""
    if not isinstance(user, Mapping) or not isinstance(user.get("login"), str):
        raise EventError("The event has no valid 'sender'.")
    user_id = user.get("id")
    return Person(
        login=user["login"],
        id=user_id if isinstance(user_id, int) else None,
        is_bot=user.get("type") == "Bot",
    )


def default_branch(payload: Mapping[str, Any]) -> str | None:
    """The repository's default branch, when the event says (saves a request)."""
    repository = payload.get("repository")
    branch = repository.get("default_branch") if isinstance(repository, Mapping) else None
    return branch if isinstance(branch, str) and branch else None
