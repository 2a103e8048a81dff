"""``codex-pr-bot local``: the whole pipeline on a clone on your machine."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot import containment_text, messages, spend_text
from bot.actions_runtime import configure_logging
from bot.errors import BotError, ConfigError
from bot.forge import HttpCredentials
from bot.secret_env import known_secrets, passed_on
from bot.settings import Settings, load_settings
from bot.spend import Ledger

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codex-pr-bot local",
        description="Let Codex make a change in a local clone and commit it on a new branch; "
        "prints the pull-request title and body. Needs OPENAI_API_KEY "
        "(and OPENAI_BASE_URL for an OpenAI-compatible server).",
    )
    parser.add_argument("prompt", help="what to change")
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="the clone (default: .)")
    parser.add_argument("--push", action="store_true", help="push the branch to origin")
    parser.add_argument("--branch", help="branch name (default: derived from the prompt)")
    parser.add_argument(
        "--include-uncommitted",
        action="store_true",
        help="let the commit carry the clone's uncommitted work too (refused otherwise)",
    )
    return parser


def main(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    try:
        return asyncio.run(_run(args, environ))
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


async def _run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = load_settings(environ)
    settings.model_key()  # fail before the slow imports when no model can be reached
    unavailable = environ.get("CODEX_PR_BOT_SANDBOX_UNAVAILABLE")  # set by the image
    if unavailable and settings.sandbox == "read-only":
        raise ConfigError(f"Codex's read-only sandbox cannot start here: {unavailable}")
    from bot import git_change
    from bot.agent_user import agent_user
    from bot.change import run_agent_phase
    from bot.deadline import Interrupted, run_within
    from bot.gitrepo import Repository
    from bot.instructions import Assignment, agent_input
    from bot.publish import commit_phase

    secrets = known_secrets(environ)
    # Your own git: it may use the credential helpers and agents of your environment.
    repo = Repository(args.repo.resolve(), secrets=secrets, inherit=environ)
    repo.current_branch()  # a clear error now if this is not a git repository
    branch = args.branch or messages.branch_for_prompt(settings.branch_prefix, args.prompt)
    user = agent_user()
    log.info("%s", containment_text.protections(agent_has_own_user=user is not None))
    with tempfile.TemporaryDirectory(prefix="codex-pr-bot-") as private:
        base = git_change.baseline(
            repo, Path(private), include_uncommitted=args.include_uncommitted
        )
        if base.earlier:
            raise ConfigError(containment_text.uncommitted_work(base.earlier))
        prompt = Assignment(agent_input(args.prompt, requester=None))
        ledger = Ledger(settings.budget, settings.model_prices or {})
        ledger.check_named(settings.model, settings.codex_model)
        work = run_agent_phase(settings, passed_on(environ), repo, prompt, ledger)
        try:
            run = await run_within(work, seconds=settings.timeout_minutes * 60, budget=ledger)
        except Interrupted as stop:
            print(f"error: stopped, {stop.reason}; the changes so far are left uncommitted.")
            return 1
        commit = commit_phase(
            settings,
            repo,
            base,
            branch=branch,
            message=run.result.commit_message,
            co_author=None,
            secrets=secrets,
        )
    spent = ledger.spent()
    print(f"Model use: {spent.tokens:,} tokens ({spend_text.cost(spent.cost_usd)}).")
    if commit is None:
        if run.environment_errors:
            print(f"error: {containment_text.environment_failure(run.environment_errors)}")
            return 1
        print(messages.NO_CHANGES)
        return 0
    if args.push:
        repo.push(branch, _credentials(settings))
    print(
        messages.local_report(
            branch=branch,
            sha=commit.sha,
            title=run.result.title,
            body=run.result.body,
            pushed=args.push,
        )
    )
    return 0


def _credentials(settings: Settings) -> HttpCredentials | None:
    """The ``github_token`` setting for the push; without it, git's own credentials."""
    if settings.github_token is None:
        return None
    from bot.github_api import git_credentials

    return git_credentials(settings.github_token.get_secret_value())
