"""The status comment while the agent works: its plan, last commands, files, spend. Pure.

Everything in it but the bot's own words comes from the agent, so it is hostile: it
must not mention anyone, link to another issue, render as markup, show a secret or
outgrow the comment. Commands go in a code block (nothing in one is markup); the
plan and file names are escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.git_text import redact
from bot.messages import fence
from bot.progress import LISTED_FILES, Progress
from bot.progress_events import one_line

# The progress part of the comment; the rest of it is the bot's own short text.
LIMIT = 6_000
_MARKUP = re.compile(r"([\\`*_{}\[\]()<>!|~#+\-=.])")
_STEP_MARK = {"completed": "✅", "in_progress": "⏳", "pending": "⬜"}
NOT_AVAILABLE = (
    "Codex's progress is not shown: the bot talks to Codex through your `mcp_command`, "
    "which does not report it."
)


def plain(text: str, secrets: Iterable[str], limit: int = 200) -> str:
    """Agent-written text as inert Markdown: one line, no markup, no one mentioned."""
    text = one_line(redact(text, secrets), limit)
    text = _MARKUP.sub(r"\\\1", text)
    # A zero-width space keeps @name and #123 from notifying or cross-linking.
    return text.replace("@", "@\u200b").replace("#", "#\u200b")


def fenced(lines: list[str]) -> str:
    """A code block no line can close: its fence is longer than any run of backticks."""
    mark = fence("\n".join(lines))
    return "\n".join([f"{mark}text", *lines, mark])


def _plan(progress: Progress, secrets: Iterable[str]) -> list[str]:
    if not progress.plan:
        return []
    steps = [f"- {_STEP_MARK[s.status]} {plain(s.text, secrets)}" for s in progress.plan]
    return ["**Plan**", *steps, ""]


def _commands(progress: Progress, secrets: Iterable[str]) -> list[str]:
    if not progress.commands:
        return []
    lines = []
    for command in progress.commands:
        state = "running" if command.running else f"exit {command.exit_code}"
        lines.append(f"$ {one_line(redact(command.text, secrets), 160)}  ({state})")
    title = f"**Last commands** ({progress.commands_run} finished so far)"
    return [title, fenced(lines), ""]


def _files(progress: Progress, secrets: Iterable[str]) -> list[str]:
    if not progress.files:
        return []
    names = [plain(path, secrets, 120) for path in list(progress.files)[:LISTED_FILES]]
    more = len(progress.files) - len(names)
    listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    return [f"**Files changed so far** ({len(progress.files)}): {listed}", ""]


def working(
    header: str,
    progress: Progress,
    *,
    spent: str,
    available: bool,
    secrets: Iterable[str],
) -> str:
    """The comment's body while the agent works; within ``LIMIT`` whatever it did."""
    secrets = tuple(secrets)
    parts = [header, ""]
    if not available:
        parts += [NOT_AVAILABLE, ""]
    sections = [_plan(progress, secrets), _commands(progress, secrets), _files(progress, secrets)]
    for section in sections:
        # A section that would not fit is left out whole: half a code block is broken.
        if len("\n".join(parts + section)) <= LIMIT:
            parts += section
    parts.append(f"Spent so far: {spent}.")
    return "\n".join(parts)
