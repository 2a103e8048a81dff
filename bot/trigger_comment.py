"""The ``issue_comment`` trigger: a new comment with the trigger word at the start of a line.

On an issue the change goes to the issue's own branch; on a pull request it follows
up that pull request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import messages
from bot.errors import EventError
from bot.events import Destination, FollowUp, NewBranch, Parsed, Person, Skip, Trigger, person
from bot.events import default_branch as default_branch_of
from bot.forge import Forge, Thread
from bot.messages import OWN_COMMENT_MARK
from bot.plan_requests import GoRequest, PlanRequest
from bot.review_requests import DEFAULT_FOCUS, ReviewRequest
from bot.trigger_base import (
    Complete,
    EventInputs,
    TriggerSpec,
    answer_to,
    command_in,
    issue_context,
    react,
)


@dataclass(frozen=True)
class CommentRequest(Complete):
    """A comment asked for a change in an issue or a pull request."""

    prompt: str
    requester: Person
    thread: Thread
    comment_id: int
    default_branch: str | None = None
    trigger: Trigger = field(default=Trigger.ISSUE_COMMENT, init=False)

    def destination(self, branch_prefix: str) -> Destination:
        if self.thread.is_pull_request:
            return FollowUp(self.thread.number)
        return NewBranch(messages.branch_for_issue(branch_prefix, self.thread.number))

    def context(self) -> str:
        # A pull request's own text comes with the follow-up's target, as it stands now.
        return "" if self.thread.is_pull_request else issue_context(self.thread)

    def acknowledge(self, forge: Forge) -> None:
        react(forge, self.thread, self.comment_id)

    def retry_hint(self) -> str:
        return "comment again to retry"


def parse(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    issue, comment = payload.get("issue"), payload.get("comment")
    if not isinstance(issue, Mapping) or not isinstance(comment, Mapping):
        raise EventError("The issue_comment event lacks 'issue' or 'comment'.")
    number, comment_id = issue.get("number"), comment.get("id")
    if not isinstance(number, int) or not isinstance(comment_id, int):
        raise EventError("The issue_comment event lacks the issue number or comment id.")
    body = str(comment.get("body") or "")
    if OWN_COMMENT_MARK in body:
        return Skip("The comment is the bot's own.")
    command = command_in(body, inputs.trigger_word)
    if command is None:
        return Skip(f"The comment does not start a line with {inputs.trigger_word}.")
    sender = person(payload.get("sender"))
    thread = Thread(
        number,
        title=str(issue.get("title") or ""),
        body=str(issue.get("body") or ""),
        is_pull_request=bool(issue.get("pull_request")),
    )
    word, branch = inputs.trigger_word, default_branch_of(payload)
    if command.subcommand == "go":
        return GoRequest(command.prompt, sender, thread, comment_id, word, branch)
    if command.subcommand == "plan" and command.prompt:
        return PlanRequest(command.prompt, sender, thread, comment_id, word, branch)
    if command.subcommand == "review" and thread.is_pull_request:
        focus = command.prompt or DEFAULT_FOCUS
        return ReviewRequest(focus, sender, thread, comment_id, word, branch)
    answer = answer_to(command, Trigger.ISSUE_COMMENT, word, sender, thread)
    if answer is not None:
        return answer
    return CommentRequest(command.prompt, sender, thread, comment_id, branch)


TRIGGER = TriggerSpec(Trigger.ISSUE_COMMENT, "issue_comment", parse, actions=frozenset({"created"}))
