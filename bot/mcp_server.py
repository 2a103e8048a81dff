"""``codex-pr-bot mcp-server``: Codex's ``codex`` and ``codex-reply`` tools over MCP stdio.

Codex's own ``codex mcp-server`` was removed from the CLI; this server keeps its two
tools on top of ``codex app-server``. Any MCP client can use it. Whoever starts it
may fix the sandbox, approval policy, working-directory root and config keys on its
command line, so a caller (a model) cannot widen its own powers.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import itertools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from bot.actions_runtime import configure_logging
from bot.codex_policy import (
    APPROVAL_POLICIES,
    SANDBOX_MODES,
    PolicyViolation,
    ServerPolicy,
    resolve_codex_call,
    resolve_reply_call,
    tool_schemas,
)
from bot.codex_runner import CodexFailure, CodexRunner, Notify, TurnOutcome
from bot.progress_events import KEY, Event, describe, to_wire

_DESCRIPTIONS = {
    "codex": "Run a Codex session on a task; returns Codex's final message and a threadId.",
    "codex-reply": "Continue a Codex session with another prompt, given its threadId.",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The server's own configuration: what callers may not change."""
    parser.add_argument("--sandbox", choices=SANDBOX_MODES, help="fix the sandbox mode")
    parser.add_argument(
        "--approval-policy", choices=APPROVAL_POLICIES, help="fix the approval policy"
    )
    parser.add_argument("--cwd-root", type=Path, help="sessions must run inside this directory")
    parser.add_argument(
        "--lock-config",
        action="append",
        default=[],
        metavar="KEY",
        help="a Codex config key callers may not set ('*' for all); repeatable",
    )
    parser.add_argument("--model", help="Codex model when the caller names none")
    parser.add_argument("--lock-model", action="store_true", help="callers may not pick a model")
    parser.add_argument(
        "--codex-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Codex config override (TOML value) for the app-server; repeatable",
    )
    parser.add_argument(
        "--turn-timeout", type=float, default=1800.0, help="seconds one turn may take"
    )


def policy_from(args: argparse.Namespace) -> ServerPolicy:
    return ServerPolicy(
        sandbox=args.sandbox,
        approval_policy=args.approval_policy,
        cwd_root=args.cwd_root,
        locked_config_keys=frozenset(args.lock_config),
        default_model=args.model,
        lock_model=args.lock_model,
    )


def _result(outcome: TurnOutcome) -> types.CallToolResult:
    text = outcome.final_message or "(Codex finished without a final message.)"
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content={
            "threadId": outcome.thread_id,
            "content": text,
            # Not in Codex's own server; lets a caller account for what the turn cost.
            "usage": {
                "input_tokens": outcome.input_tokens,
                "output_tokens": outcome.output_tokens,
            },
            # Commands that failed because of the machine (a workspace that cannot be
            # written, a sandbox that cannot start): the caller must not call it success.
            "environmentErrors": list(outcome.environment_errors),
        },
    )


def server_version() -> str:
    """This package's version, as ``serverInfo.version`` reports it."""
    try:
        return importlib.metadata.version("codex-pr-bot")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "0.0.0+unknown"


def _check_folder(cwd: Path) -> None:
    # Codex starts a thread in a missing folder, then its turn waits for minutes.
    if not cwd.exists():
        raise PolicyViolation(f"'cwd' {cwd} does not exist; pass an existing folder.")
    if not cwd.is_dir():
        raise PolicyViolation(f"'cwd' {cwd} is not a folder; pass a folder, not a file.")


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=message)], is_error=True
    )


def _progress_to(ctx: ServerRequestContext[Any]) -> Notify | None:
    """Progress notifications for this call, if its caller asked for them."""
    meta = (ctx.params or {}).get("_meta")
    token = meta.get("progressToken") if isinstance(meta, Mapping) else None
    if not isinstance(token, str | int) or isinstance(token, bool):
        return None
    count = itertools.count(1)

    async def notify(event: Event) -> None:
        params = types.ProgressNotificationParams(
            progress_token=token,
            progress=next(count),
            message=describe(event),
            _meta={KEY: to_wire(event)},
        )
        # A caller that went away stops listening; the turn itself goes on.
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            await ctx.session.send_notification(
                types.ProgressNotification(params=params), ctx.request_id
            )

    return notify


def build_server(policy: ServerPolicy, runner: CodexRunner) -> Server[Any]:
    schemas = tool_schemas(policy)
    tools = [
        types.Tool(name=name, description=_DESCRIPTIONS[name], input_schema=schema)
        for name, schema in schemas.items()
    ]
    process_cwd = Path.cwd()

    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        arguments = params.arguments or {}
        notify = _progress_to(ctx)
        try:
            if params.name == "codex":
                call = resolve_codex_call(arguments, policy, process_cwd)
                _check_folder(call.cwd)
                outcome = await runner.start(call, notify)
            elif params.name == "codex-reply":
                outcome = await runner.reply(resolve_reply_call(arguments, policy), notify)
            else:
                return _error(f"Unknown tool '{params.name}'; use 'codex' or 'codex-reply'.")
        except PolicyViolation as exc:
            return _error(f"Refused: {exc}")
        except CodexFailure as exc:
            return _error(str(exc))
        return _result(outcome)

    return Server(
        "codex-pr-bot",
        version=server_version(),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


async def serve(args: argparse.Namespace, codex_home: str | None) -> None:
    # Codex refuses to start without its home; a new home is simply empty.
    if codex_home:
        Path(codex_home).mkdir(parents=True, exist_ok=True)
    runner = CodexRunner(env={}, config_overrides=args.codex_config, turn_timeout=args.turn_timeout)
    server = build_server(policy_from(args), runner)
    try:
        async with stdio_server() as (read_stream, write_stream), anyio.create_task_group() as tg:
            tg.start_soon(runner.warm_up)
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await runner.close()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="codex-pr-bot mcp-server", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    # stdout carries the protocol; everything a person reads goes to stderr.
    configure_logging()
    # This process's composition root: the only place it reads its environment (Codex,
    # started below, reads the rest itself).
    anyio.run(serve, args, os.environ.get("CODEX_HOME"))
    return 0
