"""The agent's phase: the orchestrator and Codex at work in the repository, contained.

Shared by the local command and action mode. Where the bot is root, Codex and all it
starts run as the agent's own user (``agent_user``) over a workspace handed to that
user for the phase; in every mode the git directory is put back as it was, and
nothing the agent started outlives the phase. What changed is then decided by the
bot in ``publish``, never by the model's word.
"""

from __future__ import annotations

import logging
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

from bot import agent_user, git_dir_guard
from bot.agent import AgentRun, CodexServerCommand, ModelEndpoint, run_agent
from bot.agent_space import Space, agent_space, workspace_handed_over
from bot.codex_setup import NO_SHELL, OPENAI_API, codex_overrides, codex_server_env
from bot.deadline import kill_descendants
from bot.errors import ConfigError
from bot.gitrepo import Repository
from bot.instructions import ORCHESTRATOR, Assignment
from bot.model_proxy import ModelProxy
from bot.progress_events import OnProgress
from bot.settings import Settings
from bot.spend import Ledger

log = logging.getLogger("bot")


def model_endpoint(settings: Settings) -> ModelEndpoint:
    return ModelEndpoint(api_key=settings.model_key(), base_url=settings.openai_base_url)


def codex_home(settings: Settings, passed_on: Mapping[str, str]) -> Path:
    home = settings.codex_home or Path(passed_on.get("HOME", "~")) / ".codex-pr-bot" / "codex"
    return home.expanduser()


def codex_server(
    settings: Settings,
    passed_on: Mapping[str, str],
    workspace: Path,
    endpoint: ModelEndpoint,
    space: Space,
    user: agent_user.AgentUser | None,
    *,
    shell: bool = True,
) -> CodexServerCommand:
    """The MCP server command: ours with the bot's powers fixed, or the user's own;
    started as the agent's user where it has one."""
    env = codex_server_env(passed_on, codex_home=space.codex_home, model_key=endpoint.api_key)
    if space.home is not None:
        env["HOME"] = str(space.home)
    if settings.mcp_command and not shell:
        raise ConfigError(
            "This run must give Codex no shell, and only the bot's own MCP server can "
            "take it away.",
            hint="Run it without mcp_command.",
        )
    if settings.mcp_command:
        # Another server brings its own Codex configuration; it can reach the model
        # through the bot's proxy with the usual variables, still without the real key.
        env |= {"OPENAI_BASE_URL": endpoint.base_url or "", "OPENAI_API_KEY": endpoint.api_key}
        command = shlex.split(settings.mcp_command)
    else:
        command = [
            sys.executable, "-m", "bot", "mcp-server",
            "--sandbox", settings.sandbox,
            "--approval-policy", "never",
            "--cwd-root", str(workspace),
            "--lock-config", "*",
            "--turn-timeout", f"{settings.timeout_minutes * 60:.0f}",
        ]  # fmt: skip
        if settings.codex_model:
            command += ["--model", settings.codex_model, "--lock-model"]
        overrides = codex_overrides(base_url=endpoint.base_url, workspace=workspace)
        for override in [*overrides, *([] if shell else NO_SHELL)]:
            command += ["--codex-config", override]
    if user is not None:
        command = [sys.executable, "-m", "bot.agent_user", str(user), "--", *command]
    return CodexServerCommand(command=command[0], args=tuple(command[1:]), env=env)


async def run_agent_phase(
    settings: Settings,
    passed_on: Mapping[str, str],
    repo: Repository,
    assignment: Assignment,
    ledger: Ledger,
    heard: OnProgress | None = None,
) -> AgentRun:
    """Let the agent and Codex work in ``repo``; the model key stays in this process.

    ``heard`` is told what Codex does while it works (with the bot's own MCP server).
    """
    user = agent_user.agent_user()
    guard = git_dir_guard.take(repo.path, *repo.pin())
    try:
        with (
            agent_space(codex_home(settings, passed_on), user) as space,
            workspace_handed_over(repo.path, user),
        ):
            agent_user.probe(user, repo.path)
            try:
                return await _run(
                    settings, passed_on, repo.path, assignment, space, user, ledger, heard
                )
            finally:
                stop_everything(user)
    finally:
        git_dir_guard.restore(guard)


def stop_everything(user: agent_user.AgentUser | None) -> None:
    """Nothing the agent started may outlive its phase: it could watch the push."""
    killed = kill_descendants()
    if user is not None:
        killed += agent_user.kill_all(user)
    if killed:
        log.info("stopped %d process(es) the agent had left running", killed)


async def _run(
    settings: Settings,
    passed_on: Mapping[str, str],
    workspace: Path,
    assignment: Assignment,
    space: Space,
    user: agent_user.AgentUser | None,
    ledger: Ledger,
    heard: OnProgress | None,
) -> AgentRun:
    real = model_endpoint(settings)
    upstream = real.base_url or OPENAI_API
    with ModelProxy(api_key=real.api_key, upstream=upstream, ledger=ledger) as proxy:
        # Both layers get the proxy and a nonce of their own: the key stays in this
        # process, and every model request is counted against the run's budget.
        for_codex = ModelEndpoint(api_key=proxy.nonce_for("codex"), base_url=proxy.base_url)
        for_agent = ModelEndpoint(api_key=proxy.nonce_for("orchestrator"), base_url=proxy.base_url)
        server = codex_server(
            settings, passed_on, workspace, for_codex, space, user, shell=assignment.shell
        )
        return await run_agent(
            prompt=assignment.prompt,
            instructions=ORCHESTRATOR,
            model=settings.model,
            endpoint=for_agent,
            server=server,
            workspace=workspace,
            sandbox=settings.sandbox,
            max_turns=settings.max_turns,
            tool_timeout_seconds=settings.timeout_minutes * 60,
            tracing_key=_tracing_key(settings, real),
            on_progress=heard,
            attachment=assignment.attachment,
        )


def _tracing_key(settings: Settings, real: ModelEndpoint) -> str | None:
    """Traces go to OpenAI: with its key only, never with a gateway's."""
    if not settings.tracing:
        return None
    if real.base_url in (None, OPENAI_API):
        return real.api_key
    log.warning("tracing is off: traces go to OpenAI, and the key is for %s", real.base_url)
    return None
