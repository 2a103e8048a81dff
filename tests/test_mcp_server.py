"""`codex-pr-bot mcp-server` used by a plain MCP client over stdio, with the real Codex."""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from agents.mcp import MCPServerStdio
from mcp_types import ProgressNotification, ProgressNotificationParams

from bot.codex_setup import MODEL_KEY_VARIABLE, codex_overrides
from bot.progress_events import KEY, CommandFinished, PlanStep, PlanUpdated, from_wire
from tests.rig.scripted_model import Call, Fail, Say, ScriptedModel, Shell


def server(
    workspace: Path,
    model: ScriptedModel | None,
    tmp_path: Path,
    *flags: str,
    timeout: float = 60,
    **client: Any,
) -> MCPServerStdio:
    """The server as a plain MCP client starts it; without a model, nothing may reach one."""
    args = ["-m", "bot", "mcp-server", *flags]
    base_url = model.base_url if model else "http://127.0.0.1:9/v1"  # discard port: no model
    for override in codex_overrides(base_url=base_url, workspace=workspace):
        args += ["--codex-config", override]
    env = {
        "PATH": os.environ["PATH"],
        "CODEX_HOME": str(tmp_path / "codex-home"),
        MODEL_KEY_VARIABLE: model.api_key if model else "unused",
    }
    return MCPServerStdio(
        params={"command": sys.executable, "args": args, "env": env, "cwd": str(workspace)},
        client_session_timeout_seconds=timeout,
        use_structured_content=True,
        **client,
    )


def call(mcp: MCPServerStdio, tool: str, arguments: dict[str, Any]) -> Any:
    return asyncio.run(_call(mcp, tool, arguments))


async def _call(mcp: MCPServerStdio, tool: str, arguments: dict[str, Any]) -> Any:
    async with mcp:
        return await mcp.call_tool(tool, arguments)


def test_locked_server_shows_and_refuses_what_is_fixed(
    checkout: Path, model: ScriptedModel, tmp_path: Path
) -> None:
    async def scenario() -> tuple[list[Any], Any]:
        mcp = server(checkout, model, tmp_path, "--sandbox", "read-only", "--lock-config", "*")
        async with mcp:
            tools = await mcp.list_tools()
            refused = await mcp.call_tool("codex", {"prompt": "x", "sandbox": "danger-full-access"})
            return tools, refused

    tools, refused = asyncio.run(scenario())

    assert [t.name for t in tools] == ["codex", "codex-reply"]
    properties = tools[0].input_schema["properties"]
    assert properties["sandbox"]["enum"] == ["read-only"]  # its one value, nothing else
    assert "config" not in properties
    assert "approval-policy" in properties
    assert refused.is_error
    assert "'sandbox' is fixed to 'read-only'" in refused.content[0].text
    assert model.requests == []  # refused before Codex was asked anything


def test_codex_then_codex_reply_on_the_same_thread(
    checkout: Path, model: ScriptedModel, tmp_path: Path
) -> None:
    model.add("codex", Shell("echo one > one.txt"), Say("Wrote one.txt."))
    model.add("codex", Shell("echo two > two.txt"), Say("Wrote two.txt."))

    async def scenario() -> tuple[Any, Any]:
        async with server(checkout, model, tmp_path) as mcp:
            first = await mcp.call_tool("codex", {"prompt": "write one.txt"})
            thread = first.structured_content["threadId"]
            second = await mcp.call_tool("codex-reply", {"threadId": thread, "prompt": "and two"})
            return first, second

    first, second = asyncio.run(scenario())

    assert not first.is_error
    assert first.content[0].text == "Wrote one.txt."
    assert first.structured_content["content"] == "Wrote one.txt."
    assert second.structured_content["threadId"] == first.structured_content["threadId"]
    assert second.content[0].text == "Wrote two.txt."
    assert (checkout / "one.txt").read_text() == "one\n"
    assert (checkout / "two.txt").read_text() == "two\n"


def test_progress_reaches_a_caller_that_asks_for_it_and_no_other(
    checkout: Path, model: ScriptedModel, tmp_path: Path
) -> None:
    plan: dict[str, object] = {"plan": [{"step": "Write one.txt", "status": "in_progress"}]}
    model.add("codex", Call("update_plan", plan), Shell("echo one > one.txt"), Say("Wrote it."))
    model.add("codex", Shell("echo two > two.txt"), Say("Wrote two.txt."))
    heard: list[ProgressNotificationParams] = []

    async def hear(message: Any) -> None:
        if isinstance(message, ProgressNotification):
            heard.append(message.params)

    async def scenario() -> int:
        async with server(checkout, model, tmp_path, message_handler=hear) as mcp:
            asked = {"progressToken": "turn-1"}
            first = await mcp.call_tool("codex", {"prompt": "write one.txt"}, meta=asked)
            during_first = len(heard)
            thread = first.structured_content["threadId"]
            await mcp.call_tool("codex-reply", {"threadId": thread, "prompt": "and two"})
            return during_first

    during_first = asyncio.run(scenario())

    assert during_first == len(heard)  # the call that did not ask heard nothing
    assert {params.progress_token for params in heard} == {"turn-1"}
    assert [params.progress for params in heard] == list(range(1, len(heard) + 1))
    events = [from_wire((params.meta or {}).get(KEY)) for params in heard]
    assert PlanUpdated((PlanStep("Write one.txt", "in_progress"),)) in events
    ran = [e for e in events if isinstance(e, CommandFinished) and "one.txt" in e.command]
    assert [e.exit_code for e in ran] == [0]
    # Any MCP client can show the message; ours reads the event beside it.
    assert any((params.message or "").startswith("ran: ") for params in heard)


def test_codex_failure_is_a_tool_error_a_person_can_act_on(
    checkout: Path, model: ScriptedModel, tmp_path: Path
) -> None:
    model.add("codex", Fail(400, "Your account has no access to this model"))

    result = call(server(checkout, model, tmp_path), "codex", {"prompt": "anything"})

    assert result.is_error
    assert "Your account has no access to this model" in result.content[0].text


def test_unknown_thread_says_to_start_a_new_session(
    checkout: Path, model: ScriptedModel, tmp_path: Path
) -> None:
    result = call(
        server(checkout, model, tmp_path),
        "codex-reply",
        {"threadId": "00000000-0000-0000-0000-000000000000", "prompt": "more"},
    )

    assert result.is_error
    assert "Start a new session with the 'codex' tool" in result.content[0].text


def test_reply_cannot_bring_back_an_old_threads_powers(
    checkout: Path, model: ScriptedModel, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    model.add("codex", Shell("true"), Say("Ready."))
    model.add("codex", Shell(f"pwd; echo x > {elsewhere}/escaped.txt"), Say("Tried."))

    async def scenario() -> Any:
        # A thread from an open server, with full access in another directory...
        async with server(checkout, model, tmp_path) as open_server:
            first = await open_server.call_tool(
                "codex", {"prompt": "wait", "sandbox": "danger-full-access", "cwd": str(elsewhere)}
            )
        # ...resumed through a locked one.
        locked = server(checkout, model, tmp_path, "--sandbox", "read-only", "--cwd-root", ".")
        async with locked:
            return await locked.call_tool(
                "codex-reply",
                {"threadId": first.structured_content["threadId"], "prompt": "write there"},
            )

    result = asyncio.run(scenario())

    assert not result.is_error, result.content
    assert not (elsewhere / "escaped.txt").exists()
    # The command ran in the locked root: its output (pwd) went back to the model.
    reported = str(model.requests[-1].body["input"][-3:])
    assert str(checkout) in reported


# Calls that must come back as tool errors at once, each with the words that say why.
INVALID_CALLS: dict[str, tuple[str, dict[str, Any], str]] = {
    "cwd does not exist": ("codex", {"prompt": "x", "cwd": "missing"}, "does not exist"),
    "cwd is a file": ("codex", {"prompt": "x", "cwd": "README.md"}, "is not a folder"),
    "cwd outside the root": ("codex", {"prompt": "x", "cwd": "/"}, "must stay inside"),
    "prompt a number": ("codex", {"prompt": 42}, "'prompt' must be a string; got a number"),
    "prompt missing": ("codex", {"cwd": "."}, "'prompt' is required"),
    "prompt blank": ("codex", {"prompt": "  "}, "'prompt' must not be empty"),
    "config a string": ("codex", {"prompt": "x", "config": "a=b"}, "'config' must be an object"),
    "sandbox not in enum": ("codex", {"prompt": "x", "sandbox": "off"}, "'sandbox' must be one of"),
    "approval not in enum": (
        "codex",
        {"prompt": "x", "approval-policy": "always"},
        "'approval-policy' must be one of",
    ),
    "unknown argument": ("codex", {"prompt": "x", "sandbox_mode": "off"}, "Unknown argument"),
    "reply: unknown thread": (
        "codex-reply",
        {"prompt": "more", "threadId": "019ae000-0000-7000-8000-000000000000"},
        "no rollout found",
    ),
    "reply: malformed thread": (
        "codex-reply",
        {"prompt": "more", "threadId": "not-a-thread"},
        "Start a new session with the 'codex' tool",
    ),
    "reply: threadId a number": (
        "codex-reply",
        {"prompt": "more", "threadId": 7},
        "'threadId' must be a string",
    ),
    "reply: threadId missing": ("codex-reply", {"prompt": "more"}, "'threadId' is required"),
    "reply: prompt missing": ("codex-reply", {"threadId": "t"}, "'prompt' is required"),
    "reply: unknown argument": (
        "codex-reply",
        {"prompt": "more", "threadId": "t", "cwd": "."},
        "Unknown argument",
    ),
    "unknown tool": ("codex-exec", {"prompt": "x"}, "Unknown tool 'codex-exec'"),
}
FAST = 1.0  # seconds an invalid call may take, measured at the client


@dataclass(frozen=True)
class Answer:
    is_error: bool
    text: str
    seconds: float


@dataclass(frozen=True)
class Session:
    version: str
    answers: dict[str, Answer]


@pytest.fixture(scope="module")
def invalid_calls(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """One server, started as the README shows, answering every call of the table."""
    tmp_path = tmp_path_factory.mktemp("invalid-calls")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "README.md").write_text("a file, not a folder\n")
    flags = ("--cwd-root", str(workspace))  # sandbox and approval open: their enums apply

    async def scenario() -> Session:
        answers: dict[str, Answer] = {}
        # A hang shows as a 10 s answer (and a failed test), not as a stuck suite.
        async with server(workspace, None, tmp_path, *flags, timeout=10) as mcp:
            assert mcp.session is not None
            info = mcp.session.server_info
            for case, (tool, arguments, _) in INVALID_CALLS.items():
                started = time.perf_counter()
                try:
                    result = await mcp.call_tool(tool, arguments)
                    answer = (result.is_error, " ".join(c.text for c in result.content))
                except Exception as exc:  # a protocol error or a timeout: not a tool error
                    answer = (False, repr(exc))
                answers[case] = Answer(*answer, seconds=time.perf_counter() - started)
        return Session(version=info.version if info else "", answers=answers)

    return asyncio.run(scenario())


def test_server_info_reports_the_package_version(invalid_calls: Session) -> None:
    assert invalid_calls.version == importlib.metadata.version("codex-pr-bot")


@pytest.mark.parametrize("case", list(INVALID_CALLS))
def test_invalid_call_is_a_tool_error_within_a_second(invalid_calls: Session, case: str) -> None:
    answer = invalid_calls.answers[case]
    complaint = INVALID_CALLS[case][2]

    assert answer.is_error, answer.text
    assert complaint in answer.text
    assert answer.seconds < FAST, f"{case}: {answer.seconds:.2f} s"
