"""The agent's phase: the orchestrator and Codex at work in the repository.

Shared by the local command and action mode; what changed is then decided by git in
``publish``, never by the model's word.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

from bot.agent import AgentRun, CodexServerCommand, ModelEndpoint, run_agent
from bot.codex_setup import OPENAI_API, codex_overrides, codex_server_env
from bot.instructions import ORCHESTRATOR
from bot.model_proxy import ModelProxy
from bot.settings import Settings


def model_endpoint(settings: Settings) -> ModelEndpoint:
    return ModelEndpoint(api_key=settings.model_key(), base_url=settings.openai_base_url)


def codex_home(settings: Settings, environ: Mapping[str, str]) -> Path:
    home = settings.codex_home or Path(environ.get("HOME", "~")) / ".codex-pr-bot" / "codex"
    home = home.expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def codex_server(
    settings: Settings, environ: Mapping[str, str], workspace: Path, endpoint: ModelEndpoint
) -> CodexServerCommand:
    """The MCP server command: ours with the bot's powers fixed, or the user's own."""
    env = codex_server_env(
        environ, codex_home=codex_home(settings, environ), model_key=endpoint.api_key
    )
    if settings.mcp_command:
        # Another server brings its own Codex configuration; it can reach the model
        # through the bot's proxy with the usual variables, still without the real key.
        env |= {"OPENAI_BASE_URL": endpoint.base_url or "", "OPENAI_API_KEY": endpoint.api_key}
        command, *args = shlex.split(settings.mcp_command)
        return CodexServerCommand(command=command, args=tuple(args), env=env)
    args = [
        "-m",
        "bot",
        "mcp-server",
        "--sandbox",
        settings.sandbox,
        "--approval-policy",
        "never",
        "--cwd-root",
        str(workspace),
        "--lock-config",
        "*",
        "--turn-timeout",
        f"{settings.timeout_minutes * 60:.0f}",
    ]
    if settings.codex_model:
        args += ["--model", settings.codex_model, "--lock-model"]
    for override in codex_overrides(base_url=endpoint.base_url, workspace=workspace):
        args += ["--codex-config", override]
    return CodexServerCommand(command=sys.executable, args=tuple(args), env=env)


async def run_agent_phase(
    settings: Settings, environ: Mapping[str, str], workspace: Path, agent_input: str
) -> AgentRun:
    """Let the agent and Codex work in ``workspace``; the model key stays in this process."""
    endpoint = model_endpoint(settings)
    upstream = endpoint.base_url or OPENAI_API
    with ModelProxy(api_key=endpoint.api_key, upstream=upstream) as proxy:
        # Codex gets the proxy and a nonce; the key stays in this process.
        for_codex = ModelEndpoint(api_key=proxy.nonce, base_url=proxy.base_url)
        return await run_agent(
            prompt=agent_input,
            instructions=ORCHESTRATOR,
            model=settings.model,
            endpoint=endpoint,
            server=codex_server(settings, environ, workspace, for_codex),
            workspace=workspace,
            sandbox=settings.sandbox,
            max_turns=settings.max_turns,
            tool_timeout_seconds=settings.timeout_minutes * 60,
            tracing=settings.tracing,
        )
