"""What a caller of the Codex tools may choose, and what the server fixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

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
            "'config' is fixed",
        ),
        ({"prompt": ""}, "'prompt' must not be empty"),
        ({"prompt": " \n"}, "'prompt' must not be empty"),
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


def test_schemas_show_only_what_a_caller_may_pass() -> None:
    schemas = tool_schemas(locked)
    props = schemas["codex"]["properties"]
    assert props["sandbox"]["enum"] == ["workspace-write"]
    assert props["approval-policy"]["enum"] == ["never"]
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
    assert all(schema["additionalProperties"] is False for schema in schemas.values())


def test_locked_model_is_its_one_value_or_nothing() -> None:
    pinned = ServerPolicy(default_model="gpt-5", lock_model=True)
    assert tool_schemas(pinned)["codex"]["properties"]["model"]["enum"] == ["gpt-5"]
    assert resolve_codex_call({"prompt": "x", "model": "gpt-5"}, pinned, ROOT).model == "gpt-5"
    with pytest.raises(PolicyViolation, match="'model' is fixed to 'gpt-5'"):
        resolve_codex_call({"prompt": "x", "model": "o3"}, pinned, ROOT)
    codex_default = ServerPolicy(lock_model=True)
    assert "model" not in tool_schemas(codex_default)["codex"]["properties"]
    with pytest.raises(PolicyViolation, match="'model' is fixed by this server"):
        resolve_codex_call({"prompt": "x", "model": "o3"}, codex_default, ROOT)


def test_reply_needs_a_thread() -> None:
    open_server = ServerPolicy()
    assert resolve_reply_call({"prompt": "more", "threadId": "t1"}, open_server).thread_id == "t1"
    with pytest.raises(PolicyViolation, match="'threadId' is required"):
        resolve_reply_call({"prompt": "more"}, open_server)
    with pytest.raises(PolicyViolation, match="Unknown argument"):
        resolve_reply_call({"prompt": "m", "conversationId": "t2"}, open_server)


# Calls a caller could get wrong, with the sentence that tells it what to fix.
INVALID_CODEX_CALLS = [
    ({"prompt": 42}, "'prompt' must be a string; got a number"),
    ({"prompt": None}, "'prompt' must be a string; got null"),
    ({"prompt": ["x"]}, "'prompt' must be a string; got an array"),
    ({"prompt": "x", "config": "model=o3"}, "'config' must be an object; got a string"),
    ({"prompt": "x", "config": [1]}, "'config' must be an object; got an array"),
    ({"prompt": "x", "sandbox": "none"}, "'sandbox' must be one of read-only, workspace-write"),
    ({"prompt": "x", "sandbox": True}, "'sandbox' must be a string; got a boolean"),
    ({"prompt": "x", "approval-policy": "untrusted"}, "'approval-policy' must be one of"),
    ({"prompt": "x", "cwd": 7}, "'cwd' must be a string; got a number"),
    ({"prompt": "x", "model": {}}, "'model' must be a string; got an object"),
    ({"prompt": "x", "approval_policy": "never"}, "Unknown argument.*'approval_policy'"),
    ({"prompt": "x", "timeout": 5}, "Unknown argument.*'timeout'"),
    ({"cwd": "."}, "'prompt' is required"),
]
INVALID_REPLY_CALLS = [
    ({"threadId": "t"}, "'prompt' is required"),
    ({"prompt": "more"}, "'threadId' is required"),
    ({"prompt": "more", "threadId": 12}, "'threadId' must be a string; got a number"),
    ({"prompt": 1.5, "threadId": "t"}, "'prompt' must be a string; got a number"),
    ({"prompt": "", "threadId": "t"}, "'prompt' must not be empty"),
    ({"prompt": "more", "threadId": "t", "sandbox": "read-only"}, "Unknown argument.*'sandbox'"),
]


@pytest.mark.parametrize(("arguments", "complaint"), INVALID_CODEX_CALLS)
def test_invalid_codex_arguments_are_refused_with_a_reason(
    arguments: dict[str, object], complaint: str
) -> None:
    with pytest.raises(PolicyViolation, match=complaint):
        resolve_codex_call(arguments, ServerPolicy(), ROOT)


@pytest.mark.parametrize(("arguments", "complaint"), INVALID_REPLY_CALLS)
def test_invalid_reply_arguments_are_refused_with_a_reason(
    arguments: dict[str, object], complaint: str
) -> None:
    with pytest.raises(PolicyViolation, match=complaint):
        resolve_reply_call(arguments, ServerPolicy())


VALID_CODEX_CALLS = [
    {"prompt": "x"},
    {"prompt": "x", "sandbox": "workspace-write", "approval-policy": "never", "cwd": "."},
    {"prompt": "x", "model": "gpt-5", "base-instructions": "b", "developer-instructions": "d"},
    {"prompt": "x", "config": {}},
    {"prompt": "x", "config": {"model_reasoning_effort": "high"}},
    {"prompt": "x", "sandbox": "read-only"},
]


@pytest.mark.parametrize(
    "policy",
    [ServerPolicy(), locked, ServerPolicy(sandbox="read-only", default_model="m", lock_model=True)],
    ids=["open", "locked", "read-only"],
)
@pytest.mark.parametrize(
    ("tool", "arguments"),
    [("codex", args) for args, _ in INVALID_CODEX_CALLS]
    + [("codex", args) for args in VALID_CODEX_CALLS]
    + [("codex-reply", args) for args, _ in INVALID_REPLY_CALLS]
    + [("codex-reply", {"prompt": "more", "threadId": "t"})],
)
def test_the_server_accepts_exactly_what_its_schema_allows(
    policy: ServerPolicy, tool: str, arguments: dict[str, object]
) -> None:
    """A client that validates against the listed schema and the server never disagree."""
    valid_by_schema = Draft202012Validator(tool_schemas(policy)[tool]).is_valid(arguments)
    try:
        if tool == "codex":
            resolve_codex_call(arguments, policy, ROOT)
        else:
            resolve_reply_call(arguments, policy)
    except PolicyViolation:
        accepted = False
    else:
        accepted = True
    assert accepted == valid_by_schema


def test_reply_carries_the_fixed_values_again() -> None:
    call = resolve_reply_call({"prompt": "more", "threadId": "t1"}, locked)
    assert (call.cwd, call.sandbox, call.approval_policy) == (
        ROOT.resolve(),
        "workspace-write",
        "never",
    )
    assert resolve_reply_call({"prompt": "m", "threadId": "t"}, ServerPolicy()).sandbox is None
