"""The ``issue_comment`` trigger: a new comment with the trigger word at the start of a line.

On an issue the change goes to the issue's own branch; on a pull request it follows
up that pull request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot import ci_text, messages
from bot.events import (
    Answer,
    Destination,
    FollowUp,
    NewBranch,
    Parsed,
    Person,
    Skip,
    Trigger,
    person,
)
from bot.events import default_branch as default_branch_of
from bot.forge import Forge, Thread
from bot.plan_requests import GoRequest, PlanRequest
from bot.review_requests import DEFAULT_FOCUS, ReviewRequest
from bot.trigger_base import (
    CommentCommand,
    Complete,
    EventInputs,
    TriggerSpec,
    about,
    answer_to,
    asked_in,
    issue_context,
    react,
    thread_of,
)

if TYPE_CHECKING:
    from bot import ci_repair


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


@dataclass(frozen=True)
class FixCiCommand(CommentCommand):
    """``/codex fix-ci`` in a pull request, before the forge says which run failed."""

    def admit(self, forge: Forge) -> ci_repair.CiFix | Answer:  # type: ignore[override]
        # Imported when a CI repair is asked for: the first feedback never waits for it.
        from bot import ci_repair

        return ci_repair.on_demand(
            forge, self.thread, self.requester, self.comment_id, Trigger.ISSUE_COMMENT
        )

    def destination(self, branch_prefix: str) -> Destination:
        return FollowUp(self.thread.number)

    def retry_hint(self) -> str:
        return "comment `/codex fix-ci` again to retry"


def parse(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    issue, comment, number, comment_id = about(payload, "issue_comment", "issue", "comment")
    command = asked_in(str(comment.get("body") or ""), inputs.trigger_word, "comment")
    if isinstance(command, Skip):
        return command
    sender = person(payload.get("sender"))
    thread = thread_of(number, issue, is_pull_request=bool(issue.get("pull_request")))
    word, branch = inputs.trigger_word, default_branch_of(payload)
    if command.subcommand == "go":
        return GoRequest(command.prompt, sender, thread, comment_id, word, branch)
    if command.subcommand == "plan" and command.prompt:
        return PlanRequest(command.prompt, sender, thread, comment_id, word, branch)
    if command.subcommand == "fix-ci":
        if not thread.is_pull_request:
            return Answer(Trigger.ISSUE_COMMENT, sender, thread, ci_text.on_issue(), "On an issue.")
        return FixCiCommand("fix-ci", sender, thread, comment_id, word, branch)
    if command.subcommand == "review" and thread.is_pull_request:
        focus = command.prompt or DEFAULT_FOCUS
        return ReviewRequest(focus, sender, thread, comment_id, word, branch)
    answer = answer_to(command, Trigger.ISSUE_COMMENT, word, sender, thread)
    if answer is not None:
        return answer
    return CommentRequest(command.prompt, sender, thread, comment_id, branch)


TRIGGER = TriggerSpec(Trigger.ISSUE_COMMENT, "issue_comment", parse, actions=frozenset({"created"}))
