"""The status comment kept current while the agent works.

Codex's progress arrives as events (``progress_events``); a loop beside the agent
shows the latest picture at most once per interval and a bounded number of times,
and is stopped before the comment gets its final word. The edit runs in a thread:
the agent's own I/O shares this event loop and must not wait for GitHub.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence

from bot import progress_text
from bot.progress import Progress, Throttle
from bot.progress_events import OnProgress
from bot.spend import Ledger
from bot.spend_text import so_far
from bot.status import StatusComment

log = logging.getLogger("bot")
# How often the loop looks whether there is something new to show.
_POLL_SECONDS = 1.0


class LiveStatus:
    def __init__(
        self,
        status: StatusComment,
        header: str,
        *,
        ledger: Ledger,
        secrets: Sequence[str],
        available: bool,
        throttle: Throttle,
        started: float,
    ) -> None:
        self.progress = Progress()
        self._status, self._header = status, header
        self._ledger, self._secrets, self._available = ledger, secrets, available
        self._throttle = throttle
        throttle.started(started)  # the comment's first version was just posted
        # (progress version, tokens) last shown: nothing is new until Codex tells
        # something, unless it never will, which the comment then says once.
        self._shown: tuple[int, int] | None = (0, 0) if available else None

    def due(self, now: float) -> str | None:
        """The comment's next body, if it may be edited now and has something new."""
        if not self._throttle.allows(now):
            return None
        spent = self._ledger.spent()
        if (self.progress.version, spent.tokens) == self._shown:
            return None
        self._shown = (self.progress.version, spent.tokens)
        self._throttle.edited(now)
        return progress_text.working(
            self._header,
            self.progress,
            spent=so_far(spent, self._ledger.budget),
            available=self._available,
            secrets=self._secrets,
        )

    async def run(self, stop: asyncio.Event) -> None:
        poll = min(_POLL_SECONDS, self._throttle.interval / 4) or 0.01
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll)
            body = None if stop.is_set() else self.due(time.monotonic())
            if body is not None:
                try:
                    await asyncio.to_thread(self._status.post, body)
                except Exception:  # a picture of the work must never fail the work
                    log.warning("could not show progress", exc_info=True)


@contextlib.asynccontextmanager
async def shown(live: LiveStatus | None) -> AsyncIterator[OnProgress]:
    """While inside, ``live`` keeps the comment current; on leaving, no edit is in flight."""
    if live is None:
        yield lambda _event: None
        return
    stop = asyncio.Event()
    loop = asyncio.create_task(live.run(stop))
    try:
        yield live.progress.updated
    finally:
        stop.set()
        await loop  # an edit under way ends before the final word is posted
