"""From a GitHub event to a request, or a reason to do nothing. Pure: no I/O.

See https://docs.github.com/en/actions/reference/events-that-trigger-workflows
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import EventError
from bot.messages import OWN_COMMENT_MARK


class Trigger(enum.Enum):
    ISSUE_COMMENT = "issue_comment"
    WORKFLOW_DISPATCH = "workflow_dispatch"
    SCHEDULE = "schedule"


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


@dataclass(frozen=True)
class Skip:
    """Nothing to do; ``reason`` is the one log line that says why."""

    reason: str


Parsed = Request | Batch | EmptyRequest | Skip


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


def _person(user: Any) -> Person:
    if not isinstance(user, Mapping) or not isinstance(user.get("login"), str):
        raise EventError("The event has no valid 'sender'.")
    user_id = user.get("id")
    return Person(
        login=user["login"],
        id=user_id if isinstance(user_id, int) else None,
        is_bot=user.get("type") == "Bot",
    )


def _default_branch(payload: Mapping[str, Any]) -> str | None:
    repository = payload.get("repository")
    branch = repository.get("default_branch") if isinstance(repository, Mapping) else None
    return branch if isinstance(branch, str) and branch else None


def _comment(payload: Mapping[str, Any], trigger: str) -> Parsed:
    action = payload.get("action")
    if action != "created":
        return Skip(f"Comment was {action}, not created; only new comments are requests.")
    issue, comment = payload.get("issue"), payload.get("comment")
    if not isinstance(issue, Mapping) or not isinstance(comment, Mapping):
        raise EventError("The issue_comment event lacks 'issue' or 'comment'.")
    number, comment_id = issue.get("number"), comment.get("id")
    if not isinstance(number, int) or not isinstance(comment_id, int):
        raise EventError("The issue_comment event lacks the issue number or comment id.")
    body = str(comment.get("body") or "")
    if OWN_COMMENT_MARK in body:
        return Skip("The comment is the bot's own.")
    prompt = find_prompt(body, trigger)
    if prompt is None:
        return Skip(f"The comment does not start a line with {trigger}.")
    sender = _person(payload.get("sender"))
    if not prompt:
        return EmptyRequest(requester=sender, issue_number=number, comment_id=comment_id)
    return Request(
        trigger=Trigger.ISSUE_COMMENT,
        prompt=prompt,
        requester=sender,
        issue_number=number,
        issue_title=str(issue.get("title") or ""),
        issue_body=str(issue.get("body") or ""),
        comment_id=comment_id,
        on_pull_request=bool(issue.get("pull_request")),
        default_branch=_default_branch(payload),
    )


def parse_event(
    event_name: str,
    payload: Mapping[str, Any],
    *,
    trigger: str,
    configured_prompt: str | None,
    tasks: Sequence[tuple[str, str]] = (),
) -> Parsed:
    """Decide what an event asks for.

    ``configured_prompt`` is the ``prompt`` input (or the text of ``prompt_file``),
    used by manual runs without an ``inputs.prompt`` and by scheduled runs; ``tasks``
    are the (name, prompt) pairs of ``tasks_dir``, which a scheduled run works through.
    """
    if event_name == Trigger.ISSUE_COMMENT.value:
        return _comment(payload, trigger)
    if event_name == Trigger.WORKFLOW_DISPATCH.value:
        inputs = payload.get("inputs")
        given = inputs.get("prompt") if isinstance(inputs, Mapping) else None
        prompt = (given if isinstance(given, str) else "").strip() or configured_prompt
        if not prompt:
            return Skip("Manual run without a prompt: give the 'prompt' input.")
        sender = payload.get("sender")
        requester = _person(sender) if isinstance(sender, Mapping) else None
        return Request(
            Trigger.WORKFLOW_DISPATCH,
            prompt=prompt,
            requester=requester,
            default_branch=_default_branch(payload),
        )
    if event_name == Trigger.SCHEDULE.value:
        if tasks:
            return Batch(
                tuple(Request(Trigger.SCHEDULE, prompt=text, task=name) for name, text in tasks)
            )
        if not configured_prompt:
            return Skip(
                "Scheduled run without a prompt: set 'prompt', 'prompt_file' or 'tasks_dir'."
            )
        return Request(Trigger.SCHEDULE, prompt=configured_prompt)
    return Skip(
        f"The '{event_name}' event is not handled; use issue_comment, "
        "workflow_dispatch or schedule."
    )
