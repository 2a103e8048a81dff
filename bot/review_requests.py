"""``/codex review [focus]``: the comment trigger's request for a pull-request review.

Nothing is committed: Codex reads the change, the bot posts one review of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.events import Destination, Person, ReviewReply, Trigger
from bot.forge import Forge, Thread
from bot.trigger_base import Complete, issue_context, react

DEFAULT_FOCUS = "Review this pull request."


@dataclass(frozen=True)
class ReviewRequest(Complete):
    """Asked for a review of the pull request the comment was written on."""

    prompt: str
    requester: Person
    thread: Thread
    comment_id: int
    trigger_word: str = "/codex"
    default_branch: str | None = None
    trigger: Trigger = field(default=Trigger.ISSUE_COMMENT, init=False)

    def destination(self, branch_prefix: str) -> Destination:
        return ReviewReply(self.thread.number)

    def context(self) -> str:
        return issue_context(self.thread)

    def acknowledge(self, forge: Forge) -> None:
        react(forge, self.thread, self.comment_id)

    def retry_hint(self) -> str:
        return f"comment `{self.trigger_word} review` again to retry"
