"""The ``pull_request_review_comment`` trigger: ``/codex`` in a review thread on the diff.

The request is the comment, with the file, the lines and the diff hunk it sits on and the
thread's earlier comments as context. The change goes on the pull request's branch (as
a follow-up); the status comment and the final word are replies in that thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot import trigger_text
from bot.errors import BotError
from bot.events import Answer, Destination, FollowUp, Parsed, Person, Skip, Trigger, person
from bot.events import default_branch as default_branch_of
from bot.forge import Forge, Thread
from bot.messages import OWN_COMMENT_MARK
from bot.review_diff import on_lines
from bot.trigger_base import AsParsed, EventInputs, TriggerSpec, about, asked_in, react, thread_of
from bot.trigger_review import triggers_itself

log = logging.getLogger("bot")
STATUS_MARK = f"{OWN_COMMENT_MARK}status "
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
        where = on_lines(self.path, self.line, self.start_line, self.diff_hunk)
        return f"The comment is on {where}"


@dataclass(frozen=True)
class ReviewCommentRequest(AsParsed):
    """A change asked for in a review thread, about the lines it sits on."""

    prompt: str
    requester: Person
    thread: Thread
    comment_id: int
    spot: Spot
    default_branch: str | None = None
    review_id: int | None = None  # the review the comment was submitted in
    trigger_word: str = "/codex"
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

    def also_tell(self) -> tuple[Thread, ...]:
        return ()

    def settle(self, forge: Forge, own_comment: int | None) -> ReviewCommentRequest | Answer:
        """With the thread's earlier comments (not the bot's status) as context; or no run
        at all for a comment of a review that is a request of its own."""
        if self.review_id is not None and self._review_asks_itself(forge, self.review_id):
            reply = trigger_text.part_of_review()
            return Answer(self.trigger, self.requester, self.thread, reply, summary=reply)
        # The bot's own findings are context too (without their marker); its status
        # comments are not.
        earlier = [
            f"@{c.author}: {_unmarked(c.body)[:_COMMENT_LIMIT]}"
            for c in forge.comments(self.thread)
            if c.id not in (self.comment_id, own_comment) and STATUS_MARK not in c.body
        ]
        return replace(self, earlier=tuple(earlier[-_EARLIER_COMMENTS:]))

    def _review_asks_itself(self, forge: Forge, review_id: int) -> bool:
        try:
            review = forge.review(self.thread.number, review_id)
        except BotError as exc:  # unreadable: answer the comment rather than nobody
            log.warning("could not read review %s: %s", review_id, exc)
            return False
        return triggers_itself(review.state, review.body, self.trigger_word)


def parse(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    event = "pull_request_review_comment"
    pull, comment, number, comment_id = about(payload, event, "pull_request", "comment")
    command = asked_in(str(comment.get("body") or ""), inputs.trigger_word, "comment")
    if isinstance(command, Skip):
        return command
    root = _number(comment.get("in_reply_to_id")) or comment_id
    thread = replace(thread_of(number, pull, is_pull_request=True), review_comment=root)
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
    branch, review = default_branch_of(payload), _number(comment.get("pull_request_review_id"))
    word = inputs.trigger_word
    return ReviewCommentRequest(
        command.prompt, sender, thread, comment_id, spot, branch, review, word
    )


def _unmarked(body: str) -> str:
    lines = [line for line in body.splitlines() if not line.startswith(OWN_COMMENT_MARK)]
    return "\n".join(lines).strip()


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


TRIGGER = TriggerSpec(
    Trigger.REVIEW_COMMENT,
    "pull_request_review_comment",
    parse,
    actions=frozenset({"created"}),
)
