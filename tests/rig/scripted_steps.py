"""The steps a ScriptedModel plays, and their JSON form for its standalone mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias


@dataclass(frozen=True)
class Shell:
    """Codex runs this shell command (a string run by bash).

    ``wait_ms`` asks Codex to wait that long for it (its own default is 10 s).
    """

    command: str
    wait_ms: int | None = None


@dataclass(frozen=True)
class Call:
    """Call a function tool, e.g. Call("codex", {"prompt": "..."})."""

    name: str
    arguments: dict[str, object]


@dataclass(frozen=True)
class Say:
    """A final assistant message (for structured output: the JSON string)."""

    text: str


@dataclass(frozen=True)
class Fail:
    """Answer with an HTTP error shaped like OpenAI's."""

    status: int = 500
    message: str = "scripted failure"


@dataclass(frozen=True)
class Hang:
    """Accept the request, then send nothing for `seconds`."""

    seconds: float = 3600


Role = Literal["orchestrator", "codex"]
Item: TypeAlias = Shell | Call | Say
Step: TypeAlias = Item | Fail | Hang | list[Item]
Json: TypeAlias = dict[str, Any]


def decode(raw: object) -> Step:
    """A step from its JSON form in a standalone script, e.g. {"shell": "ls"}."""
    if isinstance(raw, list):
        items = [decode(r) for r in raw]
        if not all(isinstance(i, Shell | Call | Say) for i in items):
            raise ValueError(f"only shell/call/say can share a response: {raw!r}")
        return [i for i in items if isinstance(i, Shell | Call | Say)]
    if isinstance(raw, dict):
        if "shell" in raw:
            return Shell(str(raw["shell"]))
        if "call" in raw:
            return Call(str(raw["call"]), dict(raw.get("arguments") or {}))
        if "say" in raw:
            return Say(str(raw["say"]))
        if "fail" in raw:
            return Fail(int(raw["fail"]), str(raw.get("message", "scripted failure")))
        if "hang" in raw:
            return Hang(float(raw["hang"]))
    raise ValueError(f"unknown step: {raw!r}")
