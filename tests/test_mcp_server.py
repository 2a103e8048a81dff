"""`codex-pr-bot mcp-server` used by a plain MCP client over stdio, with the real Codex."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from agents.mcp import MCPServerStdio

from bot.codex_setup import MODEL_KEY_VARIABLE, codex_overrides
from tests.rig.scripted_model import Fail, Say, ScriptedModel, Shell


def server(workspace: Path, model: ScriptedModel, tmp_path: Path, *flags: str) -> MCPServerStdio:
    args = ["-m", "bot", "mcp-server", *flags]
    for override in codex_overrides(base_url=model.base_url, workspace=workspace):
        args += ["--codex-config", override]
    env = {
        "PATH": os.environ["PATH"],
        "CODEX_HOME": str(tmp_path / "codex-home"),
        MODEL_KEY_VARIABLE: model.api_key,
    }
    return MCPServerStdio(
        params={"command": sys.executable, "args": args, "env": env, "cwd": str(workspace)},
        client_session_timeout_seconds=60,
        use_structured_content=True,
    )


def call(mcp: MCPServerStdio, tool: str, arguments: dict[str, Any]) -> Any:
    return asyncio.run(_call(mcp, tool, arguments))


async def _call(mcp: MCPServerStdio, tool: str, arguments: dict[str, Any]) -> Any:
    async with mcp:
        return await mcp.call_tool(tool, arguments)


def test_locked_server_hides_and_refuses_what_is_fixed(
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
    assert "sandbox" not in properties
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
