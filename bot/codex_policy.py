"""What a caller of the Codex MCP tools may choose, and what the server fixes for them.

Pure logic: tool arguments and the server's own policy in, a validated call or a
refusal out. The server's policy comes from its command line, never from the
caller, so a model driving the tools cannot widen its own powers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Any

SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
# Codex's own MCP server accepted these; only the non-interactive ones make sense
# here because nobody is there to answer an approval request.
APPROVAL_POLICIES = ("never", "on-request")


class PolicyViolation(ValueError):
    """A tool call asked for something the server does not allow."""


@dataclass(frozen=True)
class ServerPolicy:
    """Values fixed by whoever started the server.

    ``None`` means the caller may choose (Codex's default applies when it does not).
    """

    sandbox: str | None = None
    approval_policy: str | None = None
    cwd_root: Path | None = None
    locked_config_keys: frozenset[str] = frozenset()
    default_model: str | None = None
    lock_model: bool = False

    def config_key_locked(self, key: str) -> bool:
        """Whether ``key`` (a dotted Codex config key) is out of the caller's reach."""
        if "*" in self.locked_config_keys:
            return True
        return any(key == k or key.startswith(k + ".") for k in self.locked_config_keys)


@dataclass(frozen=True)
class CodexCall:
    """A new Codex thread, with every value already checked against the policy."""

    prompt: str
    cwd: Path
    sandbox: str
    approval_policy: str
    model: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    base_instructions: str | None = None
    developer_instructions: str | None = None


@dataclass(frozen=True)
class ReplyCall:
    """A follow-up prompt on an existing Codex thread, under the server's fixed values.

    A thread remembers the sandbox and directory it was started with; the fixed ones
    are applied again on resume, so an old or foreign thread cannot bring back more.
    """

    thread_id: str
    prompt: str
    cwd: Path | None = None
    sandbox: str | None = None
    approval_policy: str | None = None


_JSON_TYPES: dict[str, tuple[type, str]] = {
    "string": (str, "a string"),
    "object": (dict, "an object"),
}
# What a caller sent, in JSON's words (bool first: it is also an int).
_JSON_NAMES: tuple[tuple[type | UnionType, str], ...] = (
    (bool, "a boolean"),
    (int | float, "a number"),
    (str, "a string"),
    (list, "an array"),
    (dict, "an object"),
    (type(None), "null"),
)


def _json_type(value: Any) -> str:
    return next((name for kind, name in _JSON_NAMES if isinstance(value, kind)), "unknown")


def check_arguments(
    tool: str,
    arguments: Mapping[str, Any],
    schema: Mapping[str, Any],
    fixed: Set[str] = frozenset(),
) -> None:
    """Refuse what ``schema`` (the tool's published input schema) does not allow.

    The server checks every call against the schema it lists, so the two agree: no
    names beyond its ``properties`` (``fixed`` names the ones this server took out),
    every required one present, each value of its type, in its ``enum``, matching its
    ``pattern``. Rules no schema can say (the ``cwd`` root, locked config keys) come after.
    """
    properties: Mapping[str, Any] = schema["properties"]
    if taken := sorted(set(arguments) & fixed):
        raise PolicyViolation(
            f"'{taken[0]}' is fixed by this server's configuration; omit it from the call."
        )
    if unknown := sorted(set(arguments) - set(properties)):
        raise PolicyViolation(
            f"Unknown argument(s) {', '.join(repr(n) for n in unknown)}; "
            f"'{tool}' takes {', '.join(repr(n) for n in properties)}."
        )
    for name in schema.get("required", ()):
        if name not in arguments:
            raise PolicyViolation(f"'{name}' is required.")
    for name, value in arguments.items():
        expected = properties[name]
        kind, kind_name = _JSON_TYPES[expected["type"]]
        if not isinstance(value, kind):
            raise PolicyViolation(f"'{name}' must be {kind_name}; got {_json_type(value)}.")
        allowed = expected.get("enum")
        if allowed is not None and value not in allowed:
            if len(allowed) == 1:
                raise PolicyViolation(
                    f"'{name}' is fixed to '{allowed[0]}' by this server's configuration; "
                    "omit it from the call."
                )
            raise PolicyViolation(f"'{name}' must be one of {', '.join(allowed)}; got '{value}'.")
        pattern = expected.get("pattern")
        if pattern is not None and not re.search(pattern, str(value)):
            raise PolicyViolation(f"'{name}' must not be empty.")


def _text(arguments: Mapping[str, Any], name: str) -> str | None:
    value = arguments.get(name)
    return value if isinstance(value, str) else None  # check_arguments saw to the type


def _choice(arguments: Mapping[str, Any], name: str, *, fixed: str | None, default: str) -> str:
    return fixed or _text(arguments, name) or default


def _flatten(config: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            keys.extend(_flatten(value, dotted + ".") or [dotted])
        else:
            keys.append(dotted)
    return keys


def _resolve_cwd(requested: str | None, root: Path | None, process_cwd: Path) -> Path:
    if root is None:
        return (process_cwd / requested).resolve() if requested else process_cwd
    base = root.resolve()
    if not requested:
        return base
    cwd = (base / requested).resolve()
    if cwd != base and base not in cwd.parents:
        raise PolicyViolation(f"'cwd' must stay inside {base}; got '{requested}'.")
    return cwd


def resolve_codex_call(
    arguments: Mapping[str, Any], policy: ServerPolicy, process_cwd: Path
) -> CodexCall:
    """Check the arguments of the ``codex`` tool and fill in the fixed values."""
    schema = tool_schemas(policy)["codex"]
    taken_out = set(tool_schemas(ServerPolicy())["codex"]["properties"]) - set(schema["properties"])
    check_arguments("codex", arguments, schema, fixed=taken_out)
    prompt = str(arguments["prompt"])  # required, a string: checked above
    model = _text(arguments, "model")
    config: Mapping[str, Any] = arguments.get("config") or {}
    locked = [key for key in _flatten(config) if policy.config_key_locked(key)]
    if locked:
        raise PolicyViolation(
            f"'config' may not set {', '.join(sorted(locked))} on this server; omit them."
        )
    return CodexCall(
        prompt=prompt,
        cwd=_resolve_cwd(_text(arguments, "cwd"), policy.cwd_root, process_cwd),
        sandbox=_choice(arguments, "sandbox", fixed=policy.sandbox, default="workspace-write"),
        approval_policy=_choice(
            arguments, "approval-policy", fixed=policy.approval_policy, default="never"
        ),
        model=model or policy.default_model,
        config=dict(config),
        base_instructions=_text(arguments, "base-instructions"),
        developer_instructions=_text(arguments, "developer-instructions"),
    )


def resolve_reply_call(arguments: Mapping[str, Any], policy: ServerPolicy) -> ReplyCall:
    """Check the arguments of the ``codex-reply`` tool."""
    check_arguments("codex-reply", arguments, tool_schemas(policy)["codex-reply"])
    return ReplyCall(
        thread_id=str(arguments["threadId"]),  # required, a string: checked above
        prompt=str(arguments["prompt"]),
        cwd=policy.cwd_root.resolve() if policy.cwd_root else None,
        sandbox=policy.sandbox,
        approval_policy=policy.approval_policy,
    )


def _one_of(values: tuple[str, ...], fixed: str | None, description: str) -> dict[str, Any]:
    if fixed is not None:
        # Still listed, with its one value, so a caller that repeats it stays valid.
        return {"type": "string", "enum": [fixed], "description": "Fixed by this server."}
    return {"type": "string", "enum": list(values), "description": description}


def tool_schemas(policy: ServerPolicy) -> dict[str, dict[str, Any]]:
    """JSON schemas of the two tools, exactly what the server accepts.

    A value the server fixes is listed with that one value (or left out when nothing
    may be passed at all); names not listed are refused.
    """
    codex: dict[str, Any] = {
        "prompt": {"type": "string", "pattern": _NOT_BLANK, "description": "The task for Codex."},
        "model": {"type": "string", "description": "Model for Codex, e.g. 'gpt-5.1-codex'."},
        "cwd": {"type": "string", "description": "Working directory of the session."},
        "sandbox": _one_of(SANDBOX_MODES, policy.sandbox, "Sandbox for Codex's commands."),
        "approval-policy": _one_of(
            APPROVAL_POLICIES, policy.approval_policy, "When Codex asks before acting."
        ),
        "config": {"type": "object", "description": "Codex config.toml settings to override."},
        "base-instructions": {"type": "string", "description": "Replaces the default prompt."},
        "developer-instructions": {"type": "string", "description": "Extra developer message."},
    }
    if policy.lock_model:
        if policy.default_model is None:
            del codex["model"]
        else:
            codex["model"] = _one_of((), policy.default_model, "")
    if "*" in policy.locked_config_keys:
        del codex["config"]
    elif policy.locked_config_keys:
        locked = ", ".join(sorted(policy.locked_config_keys))
        codex["config"]["description"] += f" Fixed by this server: {locked}."
    if policy.cwd_root is not None:
        codex["cwd"]["description"] = f"Working directory, inside {policy.cwd_root}."
    reply = {
        "prompt": {
            "type": "string",
            "pattern": _NOT_BLANK,
            "description": "The next prompt for the thread.",
        },
        "threadId": {"type": "string", "description": "The threadId a 'codex' call returned."},
    }
    return {
        "codex": _object(codex, required=["prompt"]),
        "codex-reply": _object(reply, required=["prompt", "threadId"]),
    }


# A prompt needs at least one character that is not white space.
_NOT_BLANK = r"\S"


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
