"""Action mode's use case: an accepted event becomes a commit, a pull request and replies."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from bot import messages
from bot.action import RunnerContext
from bot.actions_runtime import Runtime
from bot.authz import authorize_commenter
from bot.change import ChangeRequest, make_change
from bot.errors import BotError
from bot.events import EmptyRequest, Person, Request, Trigger
from bot.github_api import GitHub
from bot.gitrepo import Repository, redact
from bot.instructions import agent_input
from bot.report import Conclusion, Report
from bot.settings import Settings

log = logging.getLogger("bot")


def _secrets(settings: Settings) -> list[str]:
    return [s.get_secret_value() for s in (settings.github_token, settings.openai_api_key) if s]


def _co_author(person: Person | None) -> tuple[str, str] | None:
    if person is None or person.is_bot:
        return None
    return person.login, messages.noreply_email(person.login, person.id)


def _context(request: Request) -> str:
    if request.issue_number is None:
        return ""
    return f"Issue #{request.issue_number}: {request.issue_title}\n\n{request.issue_body}"


async def handle(
    settings: Settings,
    environ: Mapping[str, str],
    context: RunnerContext,
    parsed: Request | EmptyRequest,
    runtime: Runtime,
) -> Report:
    assert settings.github_token is not None
    token = settings.github_token.get_secret_value()
    github = GitHub(api_url=context.api_url, repository=context.repository, token=token)
    try:
        return await _handle(settings, environ, context, parsed, runtime, github, token)
    finally:
        github.close()


async def _handle(
    settings: Settings,
    environ: Mapping[str, str],
    context: RunnerContext,
    parsed: Request | EmptyRequest,
    runtime: Runtime,
    github: GitHub,
    token: str,
) -> Report:
    person = parsed.requester
    if isinstance(parsed, EmptyRequest) or parsed.trigger is Trigger.ISSUE_COMMENT:
        assert person is not None
        assert parsed.issue_number is not None
        decision = authorize_commenter(
            person,
            permission=github.permission(person.login) if not person.is_bot else None,
            allowed_users=settings.allowed_users,
        )
        log.info("authorization: %s", decision.reason)
        if not decision.allowed:
            if decision.reply:
                github.comment(parsed.issue_number, messages.refused_reply(decision.reason))
            return Report(Conclusion.UNAUTHORIZED, decision.reason, requester=person.login)
        if isinstance(parsed, EmptyRequest):
            github.comment(parsed.issue_number, messages.usage_reply(settings.trigger))
            return Report(Conclusion.SKIPPED, "Empty request: replied with usage.")
    assert isinstance(parsed, Request)
    report = Report(
        Conclusion.FAILED,
        "",
        prompt=parsed.prompt,
        requester=person.login if person else None,
        run_url=context.run_url,
    )
    try:
        report = await _work(settings, environ, context, parsed, runtime, github, token, report)
    except BotError as exc:
        log.error("failed: %s", exc)
        report = replace(report, conclusion=Conclusion.FAILED, summary=str(exc))
    except Exception as exc:
        # A bug of ours must still end in a reply, with no secret in it.
        log.exception("unexpected error")
        message = redact(f"{type(exc).__name__}: {exc}", _secrets(settings))
        summary = messages.unexpected_error(message)
        report = replace(report, conclusion=Conclusion.FAILED, summary=summary)
    if parsed.issue_number is not None:
        try:
            github.comment(parsed.issue_number, messages.final_reply(report))
        except BotError as exc:
            runtime.warning(f"Could not reply on #{parsed.issue_number}: {exc}")
    return report


async def _work(
    settings: Settings,
    environ: Mapping[str, str],
    context: RunnerContext,
    request: Request,
    runtime: Runtime,
    github: GitHub,
    token: str,
    report: Report,
) -> Report:
    repo = Repository(context.workspace, secrets=_secrets(settings))
    removed = repo.remove_persisted_credentials()
    if removed:
        log.info("removed persisted credentials from .git/config: %s", ", ".join(removed))
    if request.on_pull_request:
        assert request.issue_number is not None
        pull = github.pull(request.issue_number)
        if pull.head_repo != context.repository:
            return replace(
                report,
                conclusion=Conclusion.UNAUTHORIZED,
                summary=messages.fork_reply(pull.number),
            )
        repo.fetch_branch(pull.head_branch, token)
        branch, base = pull.head_branch, pull.base_branch
    elif request.issue_number is not None:
        branch = messages.branch_for_issue(settings.branch_prefix, request.issue_number)
        base = settings.base or github.default_branch()
    else:
        kind = "scheduled" if request.trigger is Trigger.SCHEDULE else "manual"
        branch = messages.branch_for_prompt(settings.branch_prefix, request.prompt, kind)
        base = settings.base or github.default_branch()
    if request.issue_number is not None and request.comment_id is not None:
        github.react(request.issue_number, request.comment_id)
    change = ChangeRequest(
        agent_input=agent_input(
            request.prompt,
            requester=report.requester,
            context=_context(request),
        ),
        branch=branch,
        co_author=_co_author(request.requester),
    )
    with runtime.untrusted_output():
        outcome = await make_change(settings, environ, repo, change, _secrets(settings))
        result = outcome.result
        print(f"Agent summary: {result.summary}", flush=True)
    report = replace(report, branch=branch, summary=result.summary)
    if outcome.commit is None:
        return replace(report, conclusion=Conclusion.NO_CHANGES)
    report = replace(report, files=outcome.commit.files)
    # A branch the bot named is the bot's own: a re-run replaces it. A pull
    # request's branch belongs to people: only fast-forward it.
    repo.push(branch, token, force=not request.on_pull_request)
    if request.on_pull_request:
        assert request.issue_number is not None
        return replace(report, conclusion=Conclusion.PUSHED, pr_number=request.issue_number)
    body = messages.pr_body(
        body=result.body,
        summary=result.summary,
        request=request.prompt,
        requester=report.requester,
        issue_number=request.issue_number,
        closes_issue=settings.close_issue,
        run_url=context.run_url,
    )
    pull, created = github.open_pull(head=branch, base=base, title=result.title, body=body)
    return replace(
        report,
        conclusion=Conclusion.PR_OPENED if created else Conclusion.PR_UPDATED,
        pr_url=pull.url,
        pr_number=pull.number,
    )
