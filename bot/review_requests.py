"""``/codex review [focus]``: the comment trigger's request for a pull-request review.

Nothing is committed: Codex reads the change, the bot posts one review of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.events import Destination, ReviewReply
from bot.trigger_base import CommentCommand

DEFAULT_FOCUS = "Review this pull request."


@dataclass(frozen=True)
class ReviewRequest(CommentCommand):
    """Asked for a review of the pull request the comment was written on."""

    def destination(self, branch_prefix: str) -> Destination:
        return ReviewReply(self.thread.number)

    def retry_hint(self) -> str:
        return f"comment `{self.trigger_word} review` again to retry"
