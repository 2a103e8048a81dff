"""What is known of the agent's work while it runs, and how often the requester may hear it.

Pure: events in, a picture out; the clock is passed in. ``live_status`` shows the
picture in the status comment.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from bot.progress_events import (
    CommandFinished,
    CommandStarted,
    Event,
    FileChanged,
    PlanStep,
    PlanUpdated,
)

# The commands the comment shows: the last few tell what is going on.
RECENT_COMMANDS = 5
# Files beyond this are counted, not listed.
LISTED_FILES = 30


@dataclass
class Command:
    text: str
    exit_code: int | None = None
    running: bool = True


@dataclass
class Progress:
    """Codex's plan, its last commands and the files it changed so far."""

    plan: tuple[PlanStep, ...] = ()
    commands: deque[Command] = field(default_factory=lambda: deque(maxlen=RECENT_COMMANDS))
    files: dict[str, None] = field(default_factory=dict)
    commands_run: int = 0
    # Bumped on every change, so an unchanged picture is not posted again.
    version: int = 0

    def updated(self, event: Event) -> None:
        match event:
            case PlanUpdated(steps):
                self.plan = steps
            case CommandStarted(text):
                self.commands.append(Command(text))
            case CommandFinished(text, exit_code):
                self.commands_run += 1
                running = next((c for c in self.commands if c.running and c.text == text), None)
                if running is None:
                    self.commands.append(Command(text, exit_code, running=False))
                else:
                    running.exit_code, running.running = exit_code, False
            case FileChanged(path):
                if path not in self.files and len(self.files) < 10 * LISTED_FILES:
                    self.files[path] = None
        self.version += 1


@dataclass
class Throttle:
    """At most one edit every ``interval`` seconds, and at most ``max_edits`` in a run.

    GitHub's secondary rate limits count content-creating requests; a long run must not
    spend them, nor flood the issue's watchers with edits.
    """

    interval: float = 10.0
    max_edits: int = 60
    edits: int = 0
    _last: float | None = None

    def allows(self, now: float) -> bool:
        if self.edits >= self.max_edits:
            return False
        return self._last is None or now - self._last >= self.interval

    def edited(self, now: float) -> None:
        self.edits += 1
        self._last = now

    def started(self, now: float) -> None:
        """The first version of the comment was posted: the interval counts from it."""
        self._last = now
