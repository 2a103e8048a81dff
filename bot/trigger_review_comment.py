"""The ``pull_request_review_comment`` trigger: ``/codex`` in a review thread on the diff.

The request is the comment, with the file, the lines and the diff hunk it sits on and the
thread's earlier comments as context. The change goes on the pull request's branch (as
a follow-up); the status comment and the final word are replies in that thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot import trigger_text
from bot.errors import EventError
from bot.events import Answer, Destination, FollowUp, Parsed, Person, Skip, Trigger, person
from bot.events import default_branch as default_branch_of
from bot.forge import Forge, Thread
from bot.messages import OWN_COMMENT_MARK
from bot.review_diff import fence
from bot.trigger_base import EventInputs, TriggerSpec, command_in, react

# Earlier comments of the thread given as context: the latest ones, each bounded.
_EARLIER_COMMENTS = 10
_COMMENT_LIMIT = 2_000


@dataclass(frozen=True)
class Spot:
    """Where on the diff the comment sits."""

    path: str
    line: int | None
    start_line: int | None
    diff_hunk: str

    def describe(self) -> str:
        lines = f"{self.start_line}-{self.line}" if self.start_line else f"{self.line}"
        mark = fence(self.diff_hunk)
        return (
            f"The comment is on {self.path}, line(s) {lines}:\n{mark}diff\n{self.diff_hunk}\n{mark}"
        )


@dataclass(frozen=True)
class ReviewCommentRequest:
    """A change asked for in a review thread, about the lines it sits on."""

    prompt: str
    requester: Person
    thread: Thread
    comment_id: int
    spot: Spot
    default_branch: str | None = None
    earlier: tuple[str, ...] = ()  # the thread's earlier comments, once settled
    trigger: Trigger = field(default=Trigger.REVIEW_COMMENT, init=False)

    def destination(self, branch_prefix: str) -> Destination:
        return FollowUp(self.thread.number)

    def context(self) -> str:
        """Where in the diff it was asked; the pull request comes with the target."""
        parts = [self.spot.describe()]
        if self.earlier:
            parts.append("Earlier comments in the thread:\n\n" + "\n\n".join(self.earlier))
        return "\n\n".join(parts)

    def acknowledge(self, forge: Forge) -> None:
        react(forge, self.thread, self.comment_id)

    def retry_hint(self) -> str:
        return "reply in this thread again to retry"

    def settle(self, forge: Forge, own_comment: int | None) -> ReviewCommentRequest:
        """With the thread's earlier comments (not the bot's status) as context."""
        earlier = [
            f"@{c.author}: {c.body.strip()[:_COMMENT_LIMIT]}"
            for c in forge.comments(self.thread)
            if c.id not in (self.comment_id, own_comment) and OWN_COMMENT_MARK not in c.body
        ]
        return replace(self, earlier=tuple(earlier[-_EARLIER_COMMENTS:]))


def parse(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    comment, pull = payload.get("comment"), payload.get("pull_request")
    if not isinstance(comment, Mapping) or not isinstance(pull, Mapping):
        raise EventError("The pull_request_review_comment event lacks 'comment' or 'pull_request'.")
    number, comment_id = pull.get("number"), comment.get("id")
    if not isinstance(number, int) or not isinstance(comment_id, int):
        raise EventError("The pull_request_review_comment event lacks the numbers it needs.")
    body = str(comment.get("body") or "")
    if OWN_COMMENT_MARK in body:
        return Skip("The comment is the bot's own.")
    command = command_in(body, inputs.trigger_word)
    if command is None:
        return Skip(f"The comment does not start a line with {inputs.trigger_word}.")
    root = comment.get("in_reply_to_id")
    thread = Thread(
        number,
        title=str(pull.get("title") or ""),
        body=str(pull.get("body") or ""),
        is_pull_request=True,
        review_comment=root if isinstance(root, int) else comment_id,
    )
    sender = person(payload.get("sender"))
    if command.subcommand is not None or not command.prompt:
        reply = trigger_text.in_review_thread(inputs.trigger_word)
        return Answer(Trigger.REVIEW_COMMENT, sender, thread, reply, summary=reply)
    spot = Spot(
        path=str(comment.get("path") or ""),
        line=_number(comment.get("line")),
        start_line=_number(comment.get("start_line")),
        diff_hunk=str(comment.get("diff_hunk") or ""),
    )
    branch = default_branch_of(payload)
    return ReviewCommentRequest(command.prompt, sender, thread, comment_id, spot, branch)


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


TRIGGER = TriggerSpec(
    Trigger.REVIEW_COMMENT,
    "pull_request_review_comment",
    parse,
    actions=frozenset({"created"}),
)
