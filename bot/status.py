"""The one status comment per request, edited in place until it says how things ended."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.errors import BotError
from bot.forge import Forge, Thread, ThreadComment
from bot.messages import fit_comment, status_marker

log = logging.getLogger("bot")


def own_author(comments: Sequence[ThreadComment], own_comment: int | None) -> str | None:
    """Who the bot is here: the author of its own status comment (its token's identity,
    which GitHub does not tell an installation token otherwise)."""
    return next((c.author for c in comments if c.id == own_comment), None) if own_comment else None


class StatusComment:
    """Posts the first version of the comment, then edits it; never raises.

    A failure to comment must not turn a finished change into a failed run: it is
    logged as a warning and the outputs still tell what happened.
    """

    def __init__(self, forge: Forge, thread: Thread, run_id: str) -> None:
        self._forge = forge
        self.thread = thread
        self._marker = status_marker(run_id)
        self.comment_id: int | None = None
        self.failure = ""  # why the last post failed, "" when it went through

    def adopt_existing(self) -> None:
        """On a re-run of the same job, continue the comment the first attempt posted."""
        try:
            self.comment_id = self._forge.find_comment(self.thread, self._marker)
        except BotError as exc:
            log.warning("could not look for the earlier status comment: %s", exc)

    def post(self, body: str) -> bool:
        # Fitted here whatever the body holds: a comment GitHub refuses for its size
        # would leave the requester without any answer.
        text = f"{fit_comment(body).rstrip()}\n\n{self._marker}\n"
        try:
            if self.comment_id is None:
                self.comment_id = self._forge.comment(self.thread, text)
            else:
                self._forge.edit_comment(self.thread, self.comment_id, text)
        except BotError as exc:
            log.warning("could not update the status comment on #%s: %s", self.thread.number, exc)
            self.failure = str(exc)
            return False
        self.failure = ""
        return True
