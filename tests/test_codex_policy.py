"""What a caller of the Codex tools may choose, and what the server fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.codex_policy import (
    PolicyViolation,
    ServerPolicy,
    resolve_codex_call,
    resolve_reply_call,
    tool_schemas,
)

ROOT = Path("/srv/work")
locked = ServerPolicy(
    sandbox="workspace-write",
    approval_policy="never",
    cwd_root=ROOT,
    locked_config_keys=frozenset({"*"}),
)


def test_open_server_accepts_codex_arguments_with_their_meanings() -> None:
    call = resolve_codex_call(
        {
            "prompt": "fix it",
            "sandbox": "read-only",
            "approval-policy": "on-request",
            "cwd": "sub",
            "model": "gpt-5",
            "config": {"model_reasoning_effort": "high"},
            "base-instructions": "be brief",
            "developer-instructions": "no network",
        },
        ServerPolicy(),
        ROOT,
    )
    assert call.sandbox == "read-only"
    assert call.approval_policy == "on-request"
    assert call.cwd == ROOT / "sub"
    assert call.model == "gpt-5"
    assert call.config == {"model_reasoning_effort": "high"}
    assert call.base_instructions == "be brief"
    assert call.developer_instructions == "no network"


def test_defaults_are_non_interactive_workspace_write() -> None:
    call = resolve_codex_call({"prompt": "x"}, ServerPolicy(), ROOT)
    assert (call.sandbox, call.approval_policy, call.cwd) == ("workspace-write", "never", ROOT)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"prompt": "x", "sandbox": "danger-full-access"}, "'sandbox' is fixed"),
        ({"prompt": "x", "approval-policy": "on-request"}, "'approval-policy' is fixed"),
        ({"prompt": "x", "cwd": "/etc"}, "must stay inside"),
        ({"prompt": "x", "cwd": "../elsewhere"}, "must stay inside"),
        (
            {"prompt": "x", "config": {"shell_environment_policy": {"inherit": "all"}}},
            "shell_environment_policy.inherit",
        ),
        ({"prompt": ""}, "'prompt' must not be empty"),
        ({}, "'prompt' is required"),
    ],
)
def test_locked_server_refuses_to_widen_powers(
    arguments: dict[str, object], complaint: str
) -> None:
    with pytest.raises(PolicyViolation, match=complaint):
        resolve_codex_call(arguments, locked, ROOT)


def test_locked_values_may_be_repeated() -> None:
    call = resolve_codex_call(
        {"prompt": "x", "sandbox": "workspace-write", "cwd": str(ROOT)}, locked, Path("/")
    )
    assert call.cwd == ROOT


def test_single_locked_config_key_leaves_others_open() -> None:
    policy = ServerPolicy(locked_config_keys=frozenset({"shell_environment_policy"}))
    ok = resolve_codex_call({"prompt": "x", "config": {"model": "m"}}, policy, ROOT)
    assert ok.config == {"model": "m"}
    with pytest.raises(PolicyViolation):
        resolve_codex_call(
            {"prompt": "x", "config": {"shell_environment_policy.inherit": "all"}}, policy, ROOT
        )


def test_schemas_hide_what_is_fixed() -> None:
    schemas = tool_schemas(locked)
    props = schemas["codex"]["properties"]
    assert "sandbox" not in props
    assert "approval-policy" not in props
    assert "config" not in props
    assert {"prompt", "cwd", "model"} <= set(props)
    assert set(tool_schemas(ServerPolicy())["codex"]["properties"]) >= {
        "sandbox",
        "approval-policy",
        "config",
        "base-instructions",
        "developer-instructions",
    }
    assert schemas["codex-reply"]["required"] == ["prompt", "threadId"]


def test_reply_needs_a_thread() -> None:
    open_server = ServerPolicy()
    assert resolve_reply_call({"prompt": "more", "threadId": "t1"}, open_server).thread_id == "t1"
    assert (
        resolve_reply_call({"prompt": "m", "conversationId": "t2"}, open_server).thread_id == "t2"
    )
    with pytest.raises(PolicyViolation, match="threadId"):
        resolve_reply_call({"prompt": "more"}, open_server)


def test_reply_carries_the_fixed_values_again() -> None:
    call = resolve_reply_call({"prompt": "more", "threadId": "t1"}, locked)
    assert (call.cwd, call.sandbox, call.approval_policy) == (
        ROOT.resolve(),
        "workspace-write",
        "never",
    )
    assert resolve_reply_call({"prompt": "m", "threadId": "t"}, ServerPolicy()).sandbox is None
