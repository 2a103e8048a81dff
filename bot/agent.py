"""The orchestrating agent (OpenAI Agents SDK): the only module that imports ``agents``.

The agent sees exactly two tools, Codex's ``codex`` and ``codex-reply``, served over
MCP stdio by a process that gets an explicit, minimal environment. The working
directory, sandbox and approval policy are pinned here, on every call, whatever the
model asks; the agent ends with a structured result our code publishes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import openai
from agents import Agent, RunConfig, Runner, set_tracing_export_api_key
from agents.exceptions import AgentsException, MaxTurnsExceeded
from agents.mcp import MCPServerStdio, create_static_tool_filter
from agents.models.openai_responses import OpenAIResponsesModel
from mcp_types import CallToolResult, ProgressNotification
from pydantic import BaseModel, Field

from bot.errors import AgentError
from bot.progress_events import KEY, OnProgress, from_wire

log = logging.getLogger("agent")

CODEX_TOOLS = ("codex", "codex-reply")


class ReviewFinding(BaseModel):
    """One finding of a review, on the new side of the diff."""

    path: str = Field(description="The file, as named in the diff.")
    line: int = Field(description="The new-side line number (the last line of a range).")
    start_line: int | None = Field(description="The first line of a range, or null.")
    body: str = Field(description="The finding, in one or two sentences.")
    suggestion: str | None = Field(
        description="Replacement text for exactly start_line..line, or null."
    )


class AgentResult(BaseModel):
    """What the agent hands back; our code, not the model, acts on it."""

    title: str = Field(description="Pull-request title, imperative, under 72 characters.")
    body: str = Field(description="Pull-request body in Markdown: what changed and why.")
    commit_message: str = Field(description="Commit message: a subject line, a blank line, a body.")
    summary: str = Field(description="One sentence for the requester on what was done.")
    findings: list[ReviewFinding] = Field(description="A review's findings; else empty.")


@dataclass(frozen=True)
class ModelEndpoint:
    api_key: str
    base_url: str | None = None


@dataclass(frozen=True)
class CodexServerCommand:
    """How to start the MCP server that exposes Codex."""

    command: str
    args: tuple[str, ...]
    env: Mapping[str, str]


@dataclass(frozen=True)
class AgentRun:
    result: AgentResult
    model_requests: int
    input_tokens: int
    output_tokens: int
    codex_tokens: int = 0
    thread_id: str | None = None  # the last Codex thread, for a later follow-up
    # Codex commands the machine stopped (permission denied, no sandbox).
    environment_errors: tuple[str, ...] = ()

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.codex_tokens


class _PinnedCodexServer(MCPServerStdio):
    """Overwrites the arguments that decide Codex's powers on every ``codex`` call.

    Our own server enforces the same values; pinning here as well keeps them fixed
    when the user points the bot at another Codex MCP server.
    """

    def __init__(
        self,
        pinned: Mapping[str, str],
        on_progress: OnProgress | None,
        attachment: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(message_handler=self._hear, **kwargs)
        self._pinned = dict(pinned)
        self._attachment = attachment
        self._on_progress = on_progress
        self.codex_tokens = 0
        self.thread_id: str | None = None
        self.environment_errors: list[str] = []

    async def call_tool(
        self, tool_name: str, arguments: dict[str, Any] | None, meta: dict[str, Any] | None = None
    ) -> CallToolResult:
        arguments = dict(arguments or {})
        if tool_name == "codex":
            arguments.pop("config", None)
            arguments.update(self._pinned)
            if self._attachment:
                arguments["prompt"] = f"{arguments.get('prompt', '')}\n\n{self._attachment}"
        if self._on_progress is not None:
            # Asking for progress; the notifications reach ``_hear``.
            meta = {**(meta or {}), "progressToken": f"{tool_name}-{uuid4().hex}"}
        log.info("agent calls %s", tool_name)
        result = await super().call_tool(tool_name, arguments, meta)
        structured = result.structured_content or {}
        usage = structured.get("usage")
        if isinstance(usage, Mapping):
            self.codex_tokens += sum(v for v in usage.values() if isinstance(v, int))
        if isinstance(structured.get("threadId"), str):
            self.thread_id = structured["threadId"]
        errors = structured.get("environmentErrors")
        if isinstance(errors, list):
            self.environment_errors += [str(error) for error in errors]
        return result

    async def _hear(self, message: Any) -> None:
        if self._on_progress is None or not isinstance(message, ProgressNotification):
            return
        event = from_wire((message.params.meta or {}).get(KEY))
        if event is not None:
            self._on_progress(event)


async def run_agent(
    *,
    prompt: str,
    instructions: str,
    model: str,
    endpoint: ModelEndpoint,
    server: CodexServerCommand,
    workspace: Path,
    sandbox: str,
    max_turns: int,
    tool_timeout_seconds: float,
    tracing_key: str | None = None,
    on_progress: OnProgress | None = None,
    attachment: str = "",
) -> AgentRun:
    """Run the agent to its structured result, or raise AgentError saying why not.

    ``endpoint`` is where its model requests go (the bot's proxy); ``tracing_key``, when
    given, sends Agents SDK traces to OpenAI with that key; ``on_progress`` hears what
    Codex does while it works, when the server tells (ours does); ``attachment`` is
    added to the prompt of every new Codex session.
    """
    client = openai.AsyncOpenAI(api_key=endpoint.api_key, base_url=endpoint.base_url)
    codex = _PinnedCodexServer(
        pinned={"cwd": str(workspace), "sandbox": sandbox, "approval-policy": "never"},
        on_progress=on_progress,
        attachment=attachment,
        name="codex",
        params={
            "command": server.command,
            "args": list(server.args),
            "env": dict(server.env),
            "cwd": str(workspace),
        },
        # A real Codex turn takes minutes; the SDK's 5 s default would cut it off.
        client_session_timeout_seconds=tool_timeout_seconds,
        cache_tools_list=True,
        tool_filter=create_static_tool_filter(allowed_tool_names=list(CODEX_TOOLS)),
        # Without it the model sees only text and cannot learn the threadId.
        use_structured_content=True,
    )
    agent = Agent(
        name="codex-pr-bot",
        instructions=instructions,
        model=OpenAIResponsesModel(model=model, openai_client=client),
        mcp_servers=[codex],
        output_type=AgentResult,
    )
    if tracing_key is not None:
        # The exporter reads OPENAI_API_KEY itself, which the bot keeps out of its
        # environment; hand it the key directly.
        set_tracing_export_api_key(tracing_key)
    try:
        async with codex:
            run = await Runner.run(
                agent,
                input=prompt,
                max_turns=max_turns,
                run_config=RunConfig(tracing_disabled=tracing_key is None),
            )
    except MaxTurnsExceeded:
        raise AgentError(
            f"The agent used all {max_turns} turns without finishing.",
            hint="Make the request smaller, or raise max_turns.",
        ) from None
    except openai.APIStatusError as exc:
        raise AgentError(
            f"The model API answered {exc.status_code}: {_api_message(exc)}",
            hint=_status_hint(exc.status_code),
        ) from None
    except openai.APIConnectionError as exc:
        raise AgentError(
            f"The model API could not be reached: {exc}",
            hint="Check OPENAI_BASE_URL and the runner's network.",
        ) from None
    except AgentsException as exc:
        raise AgentError(f"The agent failed: {exc}") from None
    finally:
        await client.close()
    usage = run.context_wrapper.usage
    return AgentRun(
        result=run.final_output_as(AgentResult, raise_if_incorrect_type=True),
        model_requests=usage.requests,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        codex_tokens=codex.codex_tokens,
        thread_id=codex.thread_id,
        environment_errors=tuple(codex.environment_errors),
    )


def _api_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, Mapping):
        message = body.get("message") or body.get("error", {})
        if isinstance(message, Mapping):
            message = message.get("message")
        if message:
            return str(message)
    return exc.message


def _status_hint(status: int) -> str:
    if status == 401:
        return "Check the openai_api_key secret."
    if status == 429:
        return "The model API is rate limiting or out of quota; try again later."
    if status >= 500:
        return "The model API had a server error; run the job again."
    return ""
