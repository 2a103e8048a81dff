"""Action mode's use case: an accepted event becomes a commit, a pull request and replies.

Feedback comes first (a reaction and one status comment, before the heavy imports);
the agent works under the run's deadline; every path ends with the status comment in
its final state.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from bot import containment_text, git_change, messages, trigger_text
from bot.action import RunnerContext
from bot.actions_runtime import Runtime
from bot.agent_user import agent_user
from bot.authz import PermissionOf
from bot.errors import BotError, ConfigError
from bot.events import Batch, EmptyRequest, Person, Request, Subcommand
from bot.follow_up import follow_up_target, note_of
from bot.git_change import Baseline
from bot.git_text import redact
from bot.github_api import GitHub
from bot.gitrepo import Repository
from bot.publish import Publisher, Target, publish_done, publish_partial
from bot.report import Conclusion, Report, combine
from bot.secret_env import known_secrets
from bot.settings import Settings
from bot.status import StatusComment
from bot.triggers import REGISTRY

log = logging.getLogger("bot")
# What a single request can be, once the event was not skipped.
Parsed = Request | EmptyRequest | Subcommand
# Kept back from the agent's share of the deadline to publish what exists.
PUBLISH_RESERVE_SECONDS = 45.0


@dataclass(frozen=True)
class Job:
    """Everything one run needs, built once by ``handle``."""

    settings: Settings
    environ: Mapping[str, str]
    context: RunnerContext
    runtime: Runtime
    github: GitHub
    token: str
    started: float

    @cached_property
    def secrets(self) -> list[str]:
        return known_secrets(self.environ)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def publisher(self, repo: Repository, base: Baseline) -> Publisher:
        return Publisher(self.settings, self.github, repo, self.token, self.secrets, base)


async def handle(
    settings: Settings,
    environ: Mapping[str, str],
    context: RunnerContext,
    parsed: Request | Batch | EmptyRequest | Subcommand,
    runtime: Runtime,
    started: float,
) -> Report:
    assert settings.github_token is not None
    token = settings.github_token.get_secret_value()
    github = GitHub(api_url=context.api_url, repository=context.repository, token=token)
    job = Job(settings, environ, context, runtime, github, token, started)
    try:
        if isinstance(parsed, Batch):
            return await _handle_batch(job, parsed)
        return await _handle(job, parsed)
    except BotError as exc:  # before any request was taken on: no one to reply to
        log.error("failed: %s", exc)
        return Report(Conclusion.FAILED, str(exc), run_url=context.run_url)
    finally:
        github.close()


async def _handle_batch(job: Job, batch: Batch) -> Report:
    """Each task from the same starting tree, on its own branch; quiet when nothing changed."""
    repo = Repository(job.context.workspace, secrets=job.secrets, isolated=True)
    start = repo.head()
    reports: list[Report] = []
    for request in batch.requests:
        log.info("task %s", request.task)
        if reports:  # each task starts from the same tree
            repo.reset_to(start)
        reports.append(await _handle(job, request))
        if reports[-1].partial:
            break  # the deadline passed or the job is being cancelled: stop here
    return combine(reports)


async def _handle(job: Job, parsed: Parsed) -> Report:
    person = parsed.requester
    status: StatusComment | None = None
    if parsed.issue_number is not None:
        status = StatusComment(job.github, parsed.issue_number, job.context.run_id)
    report = Report(
        Conclusion.FAILED,
        "",
        prompt=parsed.prompt if isinstance(parsed, Request) else "",
        requester=person.login if person else None,
        run_url=job.context.run_url,
    )
    try:
        refusal = _authorize(job, parsed, status)
        if refusal is not None:
            return refusal
        assert isinstance(parsed, Request)
        if status is not None:
            _first_feedback(job, parsed, status)
        report = await _work(job, parsed, report)
    except BotError as exc:
        log.error("failed: %s", exc)
        report = replace(report, conclusion=Conclusion.FAILED, summary=str(exc))
    except Exception as exc:
        # A bug of ours must still end in a reply, with no secret in it.
        log.exception("unexpected error")
        message = redact(f"{type(exc).__name__}: {exc}", job.secrets)
        report = replace(
            report, conclusion=Conclusion.FAILED, summary=messages.unexpected_error(message)
        )
    report = replace(report, duration_seconds=job.elapsed())
    if status is not None:
        status.post(messages.final_reply(report))
    return report


def _authorize(job: Job, parsed: Parsed, status: StatusComment | None) -> Report | None:
    """Who may ask, by the trigger's own rule; a refusal or a reply ends the run here."""
    person = parsed.requester
    decision = REGISTRY.authorize(
        parsed.trigger, person, _permission_once(job), job.settings.allowed_users
    )
    log.info("authorization: %s", decision.reason)
    login = person.login if person else None
    if not decision.allowed:
        if decision.reply and status is not None:
            status.post(messages.refused_reply(decision.reason))
        return Report(Conclusion.UNAUTHORIZED, decision.reason, requester=login)
    if isinstance(parsed, EmptyRequest) and status is not None:
        status.post(messages.usage_reply(job.settings.trigger))
        return Report(Conclusion.SKIPPED, "Empty request: replied with usage.")
    if isinstance(parsed, Subcommand) and status is not None:
        reply = trigger_text.subcommand_unavailable(job.settings.trigger, parsed.word)
        status.post(reply)
        return Report(Conclusion.SKIPPED, reply, requester=login)
    return None


def _permission_once(job: Job) -> PermissionOf:
    """The collaborator permission, asked of GitHub at most once per run and person."""
    known: dict[str, str | None] = {}

    def permission_of(person: Person) -> str | None:
        if person.login not in known:
            known[person.login] = job.github.permission(person.login)
        return known[person.login]

    return permission_of


def _first_feedback(job: Job, request: Request, status: StatusComment) -> None:
    """The trigger's acknowledgement (👀 …) and the status comment, before anything slow."""
    REGISTRY.spec(request.trigger).acknowledge(job.github, request)
    if job.context.run_attempt > 1:
        status.adopt_existing()
    status.post(messages.working_status(job.context.run_url))


def _target(job: Job, request: Request, repo: Repository) -> Target | Report:
    """Where the change goes; the working tree is left on the commit to build on."""
    settings = job.settings
    if request.on_pull_request:
        assert request.issue_number is not None
        pull = job.github.pull(request.issue_number)
        if pull.head_repo != job.context.repository:
            return Report(
                Conclusion.UNAUTHORIZED,
                messages.fork_reply(pull.number),
                prompt=request.prompt,
                run_url=job.context.run_url,
            )
        # Its own branch, or a new pull request when that branch is guarded or gone.
        return follow_up_target(
            job.github,
            repo,
            job.token,
            pull,
            default_branch=request.default_branch,
            branch_prefix=settings.branch_prefix,
        )
    base = settings.base or request.default_branch or job.github.default_branch()
    spec = REGISTRY.spec(request.trigger)
    branch, context = spec.branch(request, settings.branch_prefix), spec.context(request)
    # The branch of an earlier request or run whose pull request is still open goes on;
    # any other (merged, closed, abandoned) is started afresh from the base.
    open_pull = job.github.find_open_pull(branch)
    if open_pull is not None:
        repo.fetch_branch(branch, job.token)
        return Target(branch, open_pull.base_branch, context, True, open_pull.number)
    # Start from the base the pull request will target, whatever was checked out.
    repo.fetch_branch(base, job.token)
    return Target(branch, base, context, False)


async def _work(job: Job, request: Request, report: Report) -> Report:
    # Imported here so the first feedback does not wait for the Agents SDK.
    from bot.change import run_agent_phase
    from bot.deadline import Interrupted, run_within
    from bot.instructions import agent_input

    if job.context.sandbox_unavailable and job.settings.sandbox == "read-only":
        raise ConfigError(
            f"Codex's read-only sandbox cannot start here: {job.context.sandbox_unavailable}",
            hint="Use sandbox: workspace-write (in a container Codex then runs without its "
            "sandbox, the container being the boundary), or a runner where it can start.",
        )
    repo = Repository(job.context.workspace, secrets=job.secrets, isolated=True)
    removed = repo.remove_persisted_credentials()
    if removed:
        log.info("removed persisted credentials from .git/config: %s", ", ".join(removed))
    target = _target(job, request, repo)
    if isinstance(target, Report):
        return replace(target, requester=report.requester)
    report = replace(report, branch=target.branch, note=note_of(target))
    log.info("%s", containment_text.protections(agent_has_own_user=agent_user() is not None))
    with tempfile.TemporaryDirectory(prefix="codex-pr-bot-") as private:
        # The working tree as the agent finds it: what earlier steps of the job left
        # uncommitted is not the agent's, and stays out of its change.
        base = git_change.baseline(repo, Path(private))
        if base.earlier:
            log.info("left out, changed before the agent: %s", ", ".join(base.earlier))
            report = replace(report, left_out=base.earlier)
        publisher = job.publisher(repo, base)
        prompt = agent_input(request.prompt, requester=report.requester, context=target.context)
        budget = job.settings.timeout_minutes * 60 - job.elapsed()
        budget -= min(PUBLISH_RESERVE_SECONDS, budget / 10)
        try:
            # The whole run's output is already inside a stop-commands block (action.py).
            run = await run_within(
                run_agent_phase(job.settings, job.environ, repo, prompt), seconds=budget
            )
            print(f"Agent summary: {run.result.summary}", flush=True)
        except Interrupted as stop:
            log.warning("stopped: %s", stop.reason)
            return publish_partial(publisher, request, target, report, stop.reason)
        return publish_done(
            publisher, request, target, report, run, job.settings.close_issue, job.context.run_url
        )
