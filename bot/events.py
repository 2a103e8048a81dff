"""What an event can ask for, and the pieces of a payload every trigger reads. Pure.

The triggers themselves are modules behind ``bot.triggers``; see
https://docs.github.com/en/actions/reference/events-that-trigger-workflows
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.errors import EventError
from bot.forge import Forge, Thread


class Trigger(enum.Enum):
    ISSUE_COMMENT = "issue_comment"
    WORKFLOW_DISPATCH = "workflow_dispatch"
    SCHEDULE = "schedule"
    ISSUE_LABELED = "issues"
    REVIEW_COMMENT = "pull_request_review_comment"
    REVIEW = "pull_request_review"
    WORKFLOW_RUN = "workflow_run"


@dataclass(frozen=True)
class Person:
    login: str
    id: int | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class NewBranch:
    """A branch of the bot's own, named by the trigger; its pull request is opened or updated."""

    name: str


@dataclass(frozen=True)
class FollowUp:
    """The pull request the request was written in: its branch, where the bot may push."""

    pull_number: int


@dataclass(frozen=True)
class PlanReply:
    """Nothing is committed: Codex plans on a throwaway copy, the plan is the reply."""


@dataclass(frozen=True)
class ReviewReply:
    """Nothing is committed: Codex reviews the pull request, the bot posts one review."""

    pull_number: int


Destination = NewBranch | FollowUp | PlanReply | ReviewReply


class Request(Protocol):
    """Someone asked for a change: what the use case reads of any trigger's own request.

    Each trigger module defines its own frozen dataclass with just the fields it has.
    """

    @property
    def trigger(self) -> Trigger: ...

    @property
    def prompt(self) -> str: ...

    @property
    def requester(self) -> Person | None: ...

    @property
    def thread(self) -> Thread | None:
        """Where the request was written, and the status comment goes; None for a run."""

    @property
    def default_branch(self) -> str | None:
        """From the event, when it says (saves a request)."""

    def destination(self, branch_prefix: str) -> Destination: ...

    def context(self) -> str:
        """Background for the agent (the issue a comment was written on), or ""."""

    def acknowledge(self, forge: Forge) -> None:
        """The first sign the request was seen (👀 …); never raises."""

    def retry_hint(self) -> str:
        """How the requester asks again, for replies that say a run failed."""

    def admit(self, forge: Forge) -> Request | Answer | Skip:
        """What the request turns out to be once the forge is asked, before anyone is told
        (a failed workflow run: whose pull request, which attempt, what failed); most
        requests are what they were parsed as and return self."""

    def reply_note(self) -> str:
        """A line for the final reply beyond how the request ended (the attempt a CI
        repair was, with its hidden marker), or ""."""

    def settle(self, forge: Forge, own_comment: int | None) -> Request | Answer:
        """The request as it will be worked on, once the thread is known (``/codex go``
        reads its plan there); most requests are complete as parsed and return self.
        ``own_comment`` is the bot's status comment in the thread, if any."""

    def also_tell(self) -> tuple[Thread, ...]:
        """Other threads told where the change went (each thread of a review that asked
        for changes); most requests have only their own."""


@dataclass(frozen=True)
class Batch:
    """A scheduled run's named tasks, worked through one after another."""

    requests: tuple[Request, ...]


@dataclass(frozen=True)
class Answer:
    """A request answered by a reply alone (usage, a subcommand asked where it does not apply).

    The sender must be allowed as for any request: a reply is not free to strangers.
    """

    trigger: Trigger
    requester: Person
    thread: Thread
    reply: str
    summary: str

    def retry_hint(self) -> str:
        return "ask again to retry"


@dataclass(frozen=True)
class Skip:
    """Nothing to do; ``reason`` is the one log line that says why."""

    reason: str


Parsed = Request | Batch | Answer | Skip


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
