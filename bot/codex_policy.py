"""What a caller of the Codex MCP tools may choose, and what the server fixes for them.

Pure logic: tool arguments and the server's own policy in, a validated call or a
refusal out. The server's policy comes from its command line, never from the
caller, so a model driving the tools cannot widen its own powers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
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


def _text(arguments: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = arguments.get(name)
    if value is None:
        if required:
            raise PolicyViolation(f"'{name}' is required.")
        return None
    if not isinstance(value, str):
        raise PolicyViolation(f"'{name}' must be a string.")
    if required and not value.strip():
        raise PolicyViolation(f"'{name}' must not be empty.")
    return value


def _choice(
    arguments: Mapping[str, Any],
    name: str,
    allowed: tuple[str, ...],
    *,
    fixed: str | None,
    default: str,
) -> str:
    value = _text(arguments, name)
    if fixed is not None:
        if value is not None and value != fixed:
            raise PolicyViolation(
                f"'{name}' is fixed to '{fixed}' by this server's configuration; "
                f"omit it from the call."
            )
        return fixed
    if value is None:
        return default
    if value not in allowed:
        raise PolicyViolation(f"'{name}' must be one of {', '.join(allowed)}; got '{value}'.")
    return value


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
    prompt = _text(arguments, "prompt", required=True)
    assert prompt is not None
    model = _text(arguments, "model")
    if model is not None and policy.lock_model and model != policy.default_model:
        raise PolicyViolation("'model' is fixed by this server's configuration; omit it.")
    config = arguments.get("config") or {}
    if not isinstance(config, Mapping):
        raise PolicyViolation("'config' must be an object of Codex settings.")
    locked = [key for key in _flatten(config) if policy.config_key_locked(key)]
    if locked:
        raise PolicyViolation(
            f"'config' may not set {', '.join(sorted(locked))} on this server; omit them."
        )
    return CodexCall(
        prompt=prompt,
        cwd=_resolve_cwd(_text(arguments, "cwd"), policy.cwd_root, process_cwd),
        sandbox=_choice(
            arguments, "sandbox", SANDBOX_MODES, fixed=policy.sandbox, default="workspace-write"
        ),
        approval_policy=_choice(
            arguments,
            "approval-policy",
            APPROVAL_POLICIES,
            fixed=policy.approval_policy,
            default="never",
        ),
        model=model or policy.default_model,
        config=dict(config),
        base_instructions=_text(arguments, "base-instructions"),
        developer_instructions=_text(arguments, "developer-instructions"),
    )


def resolve_reply_call(arguments: Mapping[str, Any], policy: ServerPolicy) -> ReplyCall:
    """Check the arguments of the ``codex-reply`` tool."""
    # Older Codex servers called the thread id ``conversationId``; accept both.
    thread_id = _text(arguments, "threadId") or _text(arguments, "conversationId")
    if not thread_id:
        raise PolicyViolation("'threadId' is required: pass the threadId a 'codex' call returned.")
    prompt = _text(arguments, "prompt", required=True)
    assert prompt is not None
    return ReplyCall(
        thread_id=thread_id,
        prompt=prompt,
        cwd=policy.cwd_root.resolve() if policy.cwd_root else None,
        sandbox=policy.sandbox,
        approval_policy=policy.approval_policy,
    )


def tool_schemas(policy: ServerPolicy) -> dict[str, dict[str, Any]]:
    """JSON schemas of the two tools; fixed values are left out so no one asks for them."""
    codex: dict[str, Any] = {
        "prompt": {"type": "string", "description": "The task for Codex."},
        "model": {"type": "string", "description": "Model for Codex, e.g. 'gpt-5.1-codex'."},
        "cwd": {"type": "string", "description": "Working directory of the session."},
        "sandbox": {"type": "string", "enum": list(SANDBOX_MODES)},
        "approval-policy": {"type": "string", "enum": list(APPROVAL_POLICIES)},
        "config": {"type": "object", "description": "Codex config.toml settings to override."},
        "base-instructions": {"type": "string", "description": "Replaces the default prompt."},
        "developer-instructions": {"type": "string", "description": "Extra developer message."},
    }
    if policy.sandbox is not None:
        del codex["sandbox"]
    if policy.approval_policy is not None:
        del codex["approval-policy"]
    if policy.lock_model:
        del codex["model"]
    if "*" in policy.locked_config_keys:
        del codex["config"]
    if policy.cwd_root is not None:
        codex["cwd"]["description"] = f"Working directory, inside {policy.cwd_root}."
    reply = {
        "prompt": {"type": "string", "description": "The next prompt for the thread."},
        "threadId": {"type": "string", "description": "The threadId a 'codex' call returned."},
    }
    return {
        "codex": {"type": "object", "properties": codex, "required": ["prompt"]},
        "codex-reply": {"type": "object", "properties": reply, "required": ["prompt", "threadId"]},
    }
