"""Publishing a change: one checked commit, the push, and the pull request.

Git decides what changed, never the model's word: Codex can report success while every
command failed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot import commit_text, containment_text, git_change, messages, push
from bot.diff_check import Scanner, path_reasons
from bot.errors import GitError, GitHubError, PullRequestsNotAllowed, UnsafeChange
from bot.events import Person, Request
from bot.forge import Forge, HttpCredentials
from bot.git_change import Baseline
from bot.gitrepo import Repository
from bot.report import Conclusion, Report
from bot.settings import Settings

if TYPE_CHECKING:  # the Agents SDK is imported only once the agent runs
    from bot.agent import AgentRun

log = logging.getLogger("bot")


@dataclass(frozen=True)
class Target:
    """The branch a change goes to, the base of its pull request, and the agent's context."""

    branch: str
    base: str
    context: str
    exists: bool  # continued from origin: the change goes on top, fast-forward only
    pull_number: int | None = None  # the open pull request of this branch
    follow_up: bool = False  # asked for in that pull request: push, leave its text alone


@dataclass(frozen=True)
class Publisher:
    """Where a change goes and with which credentials."""

    settings: Settings
    forge: Forge
    repo: Repository
    auth: HttpCredentials
    secrets: Sequence[str]
    base: Baseline  # the tree just before the agent: the change is what differs from it
    run_url: str | None = None  # named in the commit's trailers


def co_author(person: Person | None) -> tuple[str, str] | None:
    if person is None or person.is_bot:
        return None
    return person.login, messages.noreply_email(person.login, person.id)


@dataclass(frozen=True)
class Commit:
    sha: str
    branch: str
    files: tuple[str, ...]


def commit_phase(
    settings: Settings,
    repo: Repository,
    base: Baseline,
    *,
    branch: str,
    message: str,
    co_author: tuple[str, str] | None,
    secrets: Sequence[str],
    run_url: str | None = None,
) -> Commit | None:
    """Commit what changed since ``base`` on ``branch``, after checking every byte of it;
    None if nothing did. Nothing the agent wrote into ``.git`` takes part."""
    paths = git_change.changed_paths(repo, base)
    if not paths:
        return None
    entries = git_change.read_entries(repo.path, paths)
    text = commit_text.commit_message(
        message, co_author=co_author, signoff=settings.signoff, run_url=run_url
    )
    sha = git_change.write_commit(repo, base, entries, text, messages.BOT_IDENTITY)
    change = git_change.diff(repo, base.commit, sha)
    if not change.touched:
        git_change.discard_commit(repo)
        return None
    try:
        check_change(settings, repo, change, secrets)
    except UnsafeChange:
        git_change.discard_commit(repo)  # refused: no trace of it stays in the repository
        raise
    git_change.check_out(repo, base, branch, sha, change)
    return Commit(sha=sha, branch=branch, files=change.touched)


def check_change(
    settings: Settings, repo: Repository, change: git_change.Diff, secrets: Sequence[str]
) -> None:
    """Refuse the change unless every byte of it may be pushed."""
    scanner = Scanner(secrets)
    for path, chunks in git_change.blob_chunks(repo, change.blobs):
        scanner.scan(path, chunks)
    reasons = scanner.reasons() + path_reasons(
        written=change.written,
        touched=change.touched,
        protected=settings.protected_paths,
        allow_protected=settings.allow_protected_paths,
    )
    if reasons:
        raise UnsafeChange(
            f"Nothing was pushed: {'; '.join(reasons)}.",
            hint="Review the request; the bot refuses to publish such a change.",
        )


@dataclass(frozen=True)
class Draft:
    """What to write: the commit message and the pull request's title and body."""

    commit_message: str
    title: str
    body: str
    draft: bool


def publish(
    to: Publisher,
    request: Request,
    target: Target,
    report: Report,
    text: Draft,
    when_unchanged: Conclusion,
) -> Report:
    """Commit what changed, push it, and open or update the pull request."""
    repo = to.repo
    commit = commit_phase(
        to.settings,
        repo,
        to.base,
        branch=target.branch,
        message=text.commit_message,
        co_author=co_author(request.requester),
        secrets=to.secrets,
        run_url=to.run_url,
    )
    if commit is None:
        # The branch's open pull request, if it has one, is still where the work stands.
        return replace(report, conclusion=when_unchanged, pr_number=target.pull_number)
    report = replace(report, files=commit.files)
    # A branch with an open pull request is continued, never overwritten; one without
    # (stale, merged or rejected work) was started afresh from the base and replaces it.
    pushed = push.push(
        push.Channel(to.forge, repo, to.auth, sign=to.settings.sign_commits),
        target.branch,
        force=not target.exists,
        check=lambda start, tip: check_change(
            to.settings, repo, git_change.diff(repo, start, tip), to.secrets
        ),
    )
    report = replace(report, signed=pushed.signed, unsigned=pushed.unsigned_because)
    report = replace(report, commit=repo.head())
    if target.follow_up:
        return replace(report, conclusion=Conclusion.PUSHED, pr_number=target.pull_number)
    if target.pull_number is not None:
        pull = to.forge.update_pull(target.pull_number, title=text.title, body=text.body)
        return replace(
            report, conclusion=Conclusion.PR_UPDATED, pr_url=pull.url, pr_number=pull.number
        )
    try:
        pull, created = to.forge.open_pull(
            head=target.branch, base=target.base, title=text.title, body=text.body, draft=text.draft
        )
    except PullRequestsNotAllowed as exc:
        # The paid-for change is pushed; only its pull request is missing. The branch stays,
        # and the reply gives a link that opens the pull request by hand.
        log.error("%s", exc)
        return replace(report, conclusion=Conclusion.PUSHED, unopened=target.base)
    except GitHubError:
        # Nothing half-published: a new branch without its pull request helps nobody.
        if not target.exists:
            try:
                repo.delete_remote_branch(target.branch, to.auth)
            except GitError as exc:
                log.warning("could not delete %s after the failure: %s", target.branch, exc)
        raise
    conclusion = Conclusion.PR_OPENED if created else Conclusion.PR_UPDATED
    return replace(report, conclusion=conclusion, pr_url=pull.url, pr_number=pull.number)


def publish_done(
    publisher: Publisher,
    request: Request,
    target: Target,
    report: Report,
    run: AgentRun,
    close_issue: bool,
    run_url: str | None,
) -> Report:
    """Publish what the agent did, with its words for the pull request."""
    result = run.result
    report = replace(report, summary=result.summary)
    body = messages.pr_body(
        body=result.body,
        summary=result.summary,
        request=request.prompt,
        requester=report.requester,
        thread_number=request.thread.number if request.thread else None,
        closes_issue=close_issue,
        run_url=run_url,
        thread_id=run.thread_id,
    )
    draft = Draft(result.commit_message, result.title, body, draft=False)
    report = publish(publisher, request, target, report, draft, Conclusion.NO_CHANGES)
    if report.conclusion is Conclusion.NO_CHANGES and run.environment_errors:
        # Codex says it worked, but the machine stopped its commands: not "no changes".
        return replace(
            report,
            conclusion=Conclusion.FAILED,
            summary=containment_text.environment_failure(run.environment_errors),
        )
    return report


def publish_partial(
    publisher: Publisher, request: Request, target: Target, report: Report, reason: str
) -> Report:
    """Keep what the agent changed before it was stopped, as a draft marked partial."""
    title = messages.partial_title(request.prompt)
    text = Draft(
        commit_message=f"Partial work: {title}",
        title=title,
        body=messages.partial_body(reason=reason, request=request.prompt, run_url=report.run_url),
        draft=True,
    )
    report = replace(report, partial=True, summary=f"The run was stopped: {reason}.")
    return publish(publisher, request, target, report, text, Conclusion.FAILED)
