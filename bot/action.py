"""Action mode: the composition root, and the only place that reads the runner's contract.

Event → request → who may ask → the agent's change → branch, pull request, replies.
Once a request is accepted, every path ends in a reply on the issue, the outputs and
the job summary; a bad setting or event file ends on stderr and writes nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import messages, summary_text
from bot.actions_runtime import Runtime, configure_logging, inert_lines
from bot.errors import BotError, ConfigError, EventError
from bot.events import Answer, Batch, Request, Skip
from bot.report import Conclusion, Report
from bot.run_context import RunnerContext, aimed_at
from bot.secret_env import known_secrets, passed_on
from bot.settings import Settings, load_settings
from bot.spend import Ledger
from bot.triggers import parse_event

if TYPE_CHECKING:
    from bot.agent import AgentRun
    from bot.gitrepo import Repository
    from bot.instructions import Assignment
    from bot.job import AgentPhase
    from bot.progress_events import OnProgress

log = logging.getLogger("bot")


def runner_context(environ: Mapping[str, str]) -> RunnerContext:
    missing = [
        name
        for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY")
        if not environ.get(name)
    ]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} not set: this command runs inside GitHub Actions.",
            hint="On your machine use `codex-pr-bot local`.",
        )
    server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    run_id = environ.get("GITHUB_RUN_ID")
    repository = environ["GITHUB_REPOSITORY"]

    return RunnerContext(
        event_name=environ["GITHUB_EVENT_NAME"],
        event_path=Path(environ["GITHUB_EVENT_PATH"]),
        workspace=Path(environ.get("GITHUB_WORKSPACE") or os.getcwd()),
        repository=repository,
        api_url=environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
        server_url=server,
        run_id=run_id or "local",
        run_attempt=int(environ.get("GITHUB_RUN_ATTEMPT") or 1),
        run_url=f"{server}/{repository}/actions/runs/{run_id}" if run_id else None,
        actor=environ.get("GITHUB_ACTOR"),
        output_path=_path(environ, "GITHUB_OUTPUT"),
        summary_path=_path(environ, "GITHUB_STEP_SUMMARY"),
        sandbox_unavailable=environ.get("CODEX_PR_BOT_SANDBOX_UNAVAILABLE") or None,
    )


def read_event(path: Path) -> dict[str, Any]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EventError(f"The event file {path} cannot be read: {exc.strerror}.") from None
    except ValueError as exc:
        raise EventError(f"The event file {path} is not valid JSON: {exc}.") from None
    if not isinstance(payload, dict):
        raise EventError(f"The event file {path} does not hold a JSON object.")
    return payload


def configured_prompt(settings: Settings, workspace: Path) -> str | None:
    if settings.prompt:
        return settings.prompt
    if settings.prompt_file:
        file = (workspace / settings.prompt_file).resolve()
        if workspace.resolve() not in file.parents or not file.is_file():
            raise ConfigError(
                f"prompt_file '{settings.prompt_file}' is not a file in the repository."
            )
        return _read_text(file, "prompt_file")
    return None


def _read_text(file: Path, setting: str) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{setting}: {file.name} cannot be read as UTF-8 text ({exc}).") from None


def scheduled_tasks(settings: Settings, workspace: Path) -> list[tuple[str, str]]:
    """(name, prompt) of each ``*.md`` in ``tasks_dir``, in name order; empty files skipped.

    A task file that is a symlink, or that resolves outside the repository, is skipped
    with a warning: the repository's content must not pull in files from elsewhere.
    """
    if not settings.tasks_dir:
        return []
    root = workspace.resolve()
    folder = (workspace / settings.tasks_dir).resolve()
    if root not in folder.parents or not folder.is_dir():
        raise ConfigError(f"tasks_dir '{settings.tasks_dir}' is not a folder in the repository.")
    tasks = []
    for file in sorted(folder.glob("*.md")):
        if file.is_symlink() or root not in file.resolve().parents or not file.is_file():
            log.warning("tasks_dir: skipped %s: not a regular file in the repository", file.name)
            continue
        tasks.append((file.stem, _read_text(file, "tasks_dir").strip()))
    return sorted((name, text) for name, text in tasks if text)


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    return Path(environ[name]) if environ.get(name) else None


def _say(text: str) -> None:
    """A line for the person reading the log; untrusted parts cannot become commands."""
    print(inert_lines(text, "codex-pr-bot: "), file=sys.stderr, flush=True)


def main(argv: Sequence[str] = (), environ: Mapping[str, str] = os.environ) -> int:
    started = time.monotonic()
    configure_logging()
    runtime = Runtime(
        output_path=_path(environ, "GITHUB_OUTPUT"),
        summary_path=_path(environ, "GITHUB_STEP_SUMMARY"),
    )
    # Masks go first, before anything else is printed; then, until the bot exits, no
    # line runs as a workflow command but the bot's own (file names, error messages
    # and the agent's output are untrusted).
    runtime.mask(known_secrets(environ))
    with runtime.commands_stopped():
        try:
            return _run(runtime, environ, started)
        except Exception:
            # A bug of ours: the traceback is printed inside the block, not after it.
            log.exception("unexpected error")
            runtime.error("codex-pr-bot failed unexpectedly; see the log.")
            return 1


def _run(runtime: Runtime, environ: Mapping[str, str], started: float) -> int:
    try:
        context = runner_context(environ)
        settings = load_settings(environ)
        payload = read_event(context.event_path)
        workflows_own = context.repository
        context = aimed_at(context, settings.repository, settings.path)
        if context.repository != workflows_own:
            # The event tells of the workflow's repository (its default branch, …), not
            # of the one the change is for.
            payload = {k: v for k, v in payload.items() if k != "repository"}
        parsed = parse_event(
            context.event_name,
            payload,
            trigger=settings.trigger,
            trigger_label=settings.trigger_label,
            branch_prefix=settings.branch_prefix,
            max_fix_attempts=settings.max_fix_attempts,
            configured_prompt=configured_prompt(settings, context.workspace),
            tasks=scheduled_tasks(settings, context.workspace)
            if context.event_name == "schedule"
            else (),
        )
    except BotError as exc:
        _say(str(exc))
        return exc.exit_code
    if isinstance(parsed, Skip):
        log.info("skipped: %s", parsed.reason)
        return _finish(runtime, Report(Conclusion.SKIPPED, parsed.reason))
    if settings.github_token is None:
        _say("no GitHub token: set the github_token input.")
        return ConfigError.exit_code
    return _finish(
        runtime, asyncio.run(_compose_and_handle(settings, environ, context, parsed, started))
    )


async def _compose_and_handle(
    settings: Settings,
    environ: Mapping[str, str],
    context: RunnerContext,
    parsed: Request | Batch | Answer,
    started: float,
) -> Report:
    """Build the forge and the agent's phase, and hand the request to the use case."""
    from bot.github_api import GitHub
    from bot.job import Job
    from bot.workflow import handle

    assert settings.github_token is not None
    token = settings.github_token.get_secret_value()
    forge = GitHub(api_url=context.api_url, repository=context.repository, token=token)
    # Below this point, only values: the allow-listed variables processes may start from.
    passed = passed_on(environ)
    # One budget for the run, kept by the model proxy of each agent phase.
    ledger = Ledger(settings.budget, settings.model_prices or {})
    job = Job(
        settings=settings,
        context=context,
        forge=forge,
        agent=_agent_phase(settings, passed, ledger),
        ledger=ledger,
        secrets=known_secrets(environ),
        git_env=passed,
        started=started,
    )
    try:
        return await handle(job, parsed)
    finally:
        forge.close()


def _agent_phase(settings: Settings, passed: Mapping[str, str], ledger: Ledger) -> AgentPhase:
    async def run(repo: Repository, assignment: Assignment, heard: OnProgress) -> AgentRun:
        # Imported only now: the first feedback does not wait for the Agents SDK.
        from bot.change import run_agent_phase

        return await run_agent_phase(settings, passed, repo, assignment, ledger, heard)

    return run


def _finish(runtime: Runtime, report: Report) -> int:
    runtime.set_outputs(report.outputs())
    runtime.add_summary(summary_text.job_summary(report))
    if report.unsigned:
        runtime.warning(summary_text.unsigned_warning(report))
    if report.conclusion is Conclusion.FAILED:
        runtime.error(report.summary)
    elif report.unopened:
        runtime.error(messages.pull_not_opened(report))
    return report.exit_code
