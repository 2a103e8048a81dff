"""What Codex is doing while it works: small events, and their one wire form.

The MCP server sends them as ``notifications/progress`` for a ``tools/call`` that
asked for progress (its ``_meta`` holds a ``progressToken``): the event itself under
``_meta[KEY]``, the same in words as ``message`` for any other MCP client. The
client end treats them as hostile input: an event it cannot read is dropped, and
every text is bounded here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

KEY = "codex-pr-bot/progress"
VERSION = 1
# Text kept of an event; what is shown is cut shorter, after secrets are redacted, so a
# secret cut in two here is never shown.
_TEXT_LIMIT = 2_000
_STEPS_LIMIT = 30

StepStatus = Literal["pending", "in_progress", "completed"]
_STATUSES: tuple[StepStatus, ...] = ("pending", "in_progress", "completed")


@dataclass(frozen=True)
class PlanStep:
    text: str
    status: StepStatus


@dataclass(frozen=True)
class PlanUpdated:
    """Codex's plan as a whole, each time it changes it."""

    steps: tuple[PlanStep, ...]


@dataclass(frozen=True)
class CommandStarted:
    command: str


@dataclass(frozen=True)
class CommandFinished:
    command: str
    exit_code: int | None


@dataclass(frozen=True)
class FileChanged:
    path: str


Event: TypeAlias = PlanUpdated | CommandStarted | CommandFinished | FileChanged
# Hears each event as it arrives; it must return at once.
OnProgress: TypeAlias = Callable[[Event], None]


def one_line(value: object, limit: int = _TEXT_LIMIT) -> str:
    """One line, bounded: a command may be a whole script."""
    line = " ".join(str(value).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def to_wire(event: Event) -> dict[str, Any]:
    match event:
        case PlanUpdated(steps):
            plan = [{"step": s.text, "status": s.status} for s in steps[:_STEPS_LIMIT]]
            return {"v": VERSION, "kind": "plan", "steps": plan}
        case CommandStarted(command):
            return {"v": VERSION, "kind": "command", "command": command, "state": "running"}
        case CommandFinished(command, exit_code):
            return {"v": VERSION, "kind": "command", "command": command, "exit": exit_code}
        case FileChanged(path):
            return {"v": VERSION, "kind": "file", "path": path}


def from_wire(raw: object) -> Event | None:
    """The event in ``raw``, or None for anything this version cannot read."""
    if not isinstance(raw, Mapping) or raw.get("v") != VERSION:
        return None
    kind = raw.get("kind")
    if kind == "plan" and isinstance(raw.get("steps"), list):
        steps = tuple(
            PlanStep(one_line(step["step"]), step["status"])
            for step in raw["steps"][:_STEPS_LIMIT]
            if isinstance(step, Mapping) and step.get("status") in _STATUSES and "step" in step
        )
        return PlanUpdated(steps)
    if kind == "command" and isinstance(raw.get("command"), str):
        command = one_line(raw["command"])
        if raw.get("state") == "running":
            return CommandStarted(command)
        exit_code = raw.get("exit")
        return CommandFinished(command, exit_code if isinstance(exit_code, int) else None)
    if kind == "file" and isinstance(raw.get("path"), str):
        return FileChanged(one_line(raw["path"]))
    return None


def describe(event: Event) -> str:
    """The event in words, for an MCP client that shows progress messages."""
    match event:
        case PlanUpdated(steps):
            done = sum(step.status == "completed" for step in steps)
            return f"plan: {done} of {len(steps)} steps done"
        case CommandStarted(command):
            return f"running: {one_line(command, 300)}"
        case CommandFinished(command, exit_code):
            return f"ran: {one_line(command, 300)} (exit {exit_code})"
        case FileChanged(path):
            return f"edited: {one_line(path, 300)}"
