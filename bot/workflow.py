"""Action mode's use case: an accepted request becomes a commit, a pull request and replies.

Feedback comes first (a reaction and one status comment, before the heavy imports);
the agent works under the run's deadline; every path ends with the status comment in
its final state. Everything it talks to comes in a ``Job``: the forge and the agent's
phase are ports, so the use case runs in milliseconds against fakes.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from bot import containment_text, git_change, messages, plans
from bot.agent_user import agent_user
from bot.authz import PermissionOf
from bot.errors import AgentError, BotError, ConfigError
from bot.events import Answer, Batch, Person, PlanReply, Request, ReviewReply, Skip
from bot.follow_up import note_of
from bot.forge import Access, Forge, Thread
from bot.git_copy import throwaway_copy
from bot.git_text import redact
from bot.gitrepo import Repository
from bot.job import Job, agent_at_work
from bot.publish import Publisher, publish_done, publish_partial
from bot.report import Conclusion, Report, combine
from bot.status import StatusComment
from bot.targets import target_for
from bot.triggers import REGISTRY

if TYPE_CHECKING:  # the Agents SDK is imported only once the agent runs
    pass

log = logging.getLogger("bot")
# Prepares the working tree before a request's work (a batch resets it between tasks).
Prepare = Callable[[Repository], None]


def _as_found(repo: Repository) -> None:
    """A single request works on the tree as the job checked it out."""


class SameStart:
    """Every task of a batch starts from the commit the first one found."""

    def __init__(self) -> None:
        self._commit: str | None = None

    def __call__(self, repo: Repository) -> None:
        if self._commit is None:
            self._commit = repo.head()
        else:
            repo.reset_to(self._commit)


async def handle(job: Job, parsed: Request | Batch | Answer) -> Report:
    """Answer one request, or work through a batch's tasks, each on its own branch."""
    if not isinstance(parsed, Batch):
        return await _handle(job, parsed)
    reports: list[Report] = []
    start = SameStart()
    for request in parsed.requests:
        reports.append(await _handle(job, request, start))
        if reports[-1].partial:
            break  # the deadline passed or the job is being cancelled: stop here
    return combine(reports)


async def _handle(job: Job, asked: Request | Answer, prepare: Prepare = _as_found) -> Report:
    person = asked.requester
    login = person.login if person else None
    spent_before = job.ledger.spent()
    status = StatusComment(job.forge, asked.thread, job.context.run_id) if asked.thread else None
    report = Report(
        Conclusion.FAILED,
        "",
        prompt="" if isinstance(asked, Answer) else asked.prompt,
        requester=login,
        run_url=job.context.run_url,
    )
    try:
        decision = REGISTRY.authorize(
            asked.trigger, person, _permission_once(job.forge), job.settings.allowed_users
        )
        log.info("authorization: %s", decision.reason)
        if not decision.allowed:
            refusal = messages.refused_reply(decision.reason) if decision.reply else None
            return _end(
                status, refusal, Report(Conclusion.UNAUTHORIZED, decision.reason, requester=login)
            )
        if not isinstance(asked, Answer):
            admitted = asked.admit(job.forge)
            if isinstance(admitted, Skip):  # not for the bot after all: no word is said
                log.info("nothing to do: %s", admitted.reason)
                return Report(Conclusion.SKIPPED, admitted.reason, requester=login)
            asked = admitted
        if isinstance(asked, Answer):
            return _end(
                status, asked.reply, Report(Conclusion.SKIPPED, asked.summary, requester=login)
            )
        asked.acknowledge(job.forge)
        if status is not None:
            if job.context.run_attempt > 1:
                status.adopt_existing()
            status.post(messages.working_status(job.context.run_url))
        settled = asked.settle(job.forge, status.comment_id if status else None)
        if isinstance(settled, Answer):  # e.g. `/codex go` without a plan to carry out
            skipped = Report(Conclusion.SKIPPED, settled.summary, requester=login)
            return _end(status, settled.reply, skipped)
        # Said however the run ends (a CI repair's attempt counts even if it fails).
        report = replace(report, note=settled.reply_note())
        report = await _work(job, settled, report, prepare, status)
    except Exception as exc:
        report = _failed(job, report, exc)
    spent = job.ledger.spent() - spent_before
    report = replace(
        report,
        duration_seconds=job.elapsed(),
        tokens=spent.tokens,
        cost_usd=spent.cost_usd,
        layers=spent.layers,
    )
    return _end(status, messages.final_reply(report, asked.retry_hint()), report)


def _end(status: StatusComment | None, reply: str | None, report: Report) -> Report:
    """The status comment's last word, if the request has a thread and a word is due."""
    if status is not None and reply is not None and not status.post(reply):
        # The job summary and the outputs are then the only place the requester learns it.
        return replace(report, unposted=status.failure)
    return report


def _failed(job: Job, report: Report, exc: Exception) -> Report:
    """The one place an error becomes an outcome: the run failed, and the reply says why.

    A bug of ours must still end in a reply, with no secret in it.
    """
    if isinstance(exc, BotError):
        log.error("failed: %s", exc)
        summary = redact(str(exc), job.secrets)
    else:
        log.exception("unexpected error")
        summary = messages.unexpected_error(redact(f"{type(exc).__name__}: {exc}", job.secrets))
    return replace(report, conclusion=Conclusion.FAILED, summary=summary)


def _permission_once(forge: Forge) -> PermissionOf:
    """The person's access, asked of the forge at most once per run and person."""
    known: dict[str, Access] = {}

    def access_of(person: Person) -> Access:
        if person.login not in known:
            known[person.login] = forge.access(person.login)
        return known[person.login]

    return access_of


async def _work(
    job: Job, request: Request, report: Report, prepare: Prepare, status: StatusComment | None
) -> Report:
    # Imported here so the first feedback does not wait for them.
    from bot.deadline import Interrupted
    from bot.instructions import Assignment, agent_input

    if job.context.sandbox_unavailable and job.settings.sandbox == "read-only":
        raise ConfigError(
            f"Codex's read-only sandbox cannot start here: {job.context.sandbox_unavailable}",
            hint="Use sandbox: workspace-write (in a container Codex then runs without its "
            "sandbox, the container being the boundary), or a runner where it can start.",
        )
    job.ledger.check_named(job.settings.model, job.settings.codex_model)
    repo = job.repository()
    prepare(repo)
    removed = repo.remove_persisted_credentials()
    if removed:
        log.info("removed persisted credentials from .git/config: %s", ", ".join(removed))
    destination = request.destination(job.settings.branch_prefix)
    if isinstance(destination, PlanReply):
        return await _plan(job, request, repo, report, status)
    if isinstance(destination, ReviewReply):
        from bot.review_flow import review

        return await review(job, request, repo, destination, report, status)
    settings = job.settings
    target = target_for(job.forge, repo, request, destination, settings.branch_prefix,
                        settings.base)  # fmt: skip
    if isinstance(target, Report):
        return replace(target, requester=report.requester, run_url=job.context.run_url)
    notes = (note_of(target), report.note)
    report = replace(report, branch=target.branch, note="\n\n".join(n for n in notes if n))
    log.info("%s", containment_text.protections(agent_has_own_user=agent_user() is not None))
    with tempfile.TemporaryDirectory(prefix="codex-pr-bot-") as private:
        # The working tree as the agent finds it: what earlier steps of the job left
        # uncommitted is not the agent's, and stays out of its change.
        base = git_change.baseline(repo, Path(private))
        if base.earlier:
            log.info("left out, changed before the agent: %s", ", ".join(base.earlier))
            report = replace(report, left_out=base.earlier)
        publisher = Publisher(
            job.settings, job.forge, repo, job.forge.git_credentials(), job.secrets, base,
            job.context.run_url,
        )  # fmt: skip
        prompt = agent_input(request.prompt, requester=report.requester, context=target.context)
        try:
            # The whole run's output is already inside a stop-commands block (action.py).
            run = await agent_at_work(job, status, repo, Assignment(prompt))
            print(f"Agent summary: {run.result.summary}", flush=True)
        except Interrupted as stop:
            log.warning("stopped: %s", stop.reason)
            return publish_partial(publisher, request, target, report, stop.reason)
        done = publish_done(
            publisher, request, target, report, run, job.settings.close_issue, job.context.run_url
        )
    if not done.commit:
        return done
    web = f"{job.context.server_url}/{job.forge.repository}"
    done = replace(done, commit_url=f"{web}/commit/{done.commit}")
    if done.unopened:
        compare = f"{quote(done.unopened, safe='/')}...{quote(done.branch, safe='/')}"
        done = replace(done, compare_url=f"{web}/compare/{compare}?expand=1")
    _tell(job.forge, request.also_tell(), messages.addressed_in(done))
    return done


def _tell(forge: Forge, threads: Sequence[Thread], text: str) -> None:
    """A short word in each other thread of the request; one that fails is only logged."""
    for thread in threads:
        try:
            forge.comment(thread, text)
        except BotError as exc:
            log.warning("could not reply in a thread of #%s: %s", thread.number, exc)


async def _plan(
    job: Job, request: Request, repo: Repository, report: Report, status: StatusComment | None
) -> Report:
    """Codex plans on a throwaway copy of the tree; the plan becomes the reply."""
    from bot.deadline import Interrupted
    from bot.instructions import Assignment, agent_input

    with tempfile.TemporaryDirectory(prefix="codex-pr-bot-plan-") as scratch:
        Path(scratch).chmod(0o711)  # the agent's own user works in the copy inside
        copy = throwaway_copy(
            repo, Path(scratch) / "repo", secrets=job.secrets, inherit=job.git_env
        )
        prompt = agent_input(
            request.prompt, requester=report.requester, context=request.context(),
            task=plans.PLAN_TASK,
        )  # fmt: skip
        try:
            run = await agent_at_work(job, status, copy, Assignment(prompt))
        except Interrupted as stop:
            raise AgentError(f"The plan was not finished: {stop.reason}.") from None
    plan = plans.ready_block(plans.neutral(run.result.body, job.secrets), job.settings.trigger)
    summary = plans.neutral(run.result.summary, job.secrets)
    return replace(report, conclusion=Conclusion.PLANNED, summary=summary, plan=plan)
