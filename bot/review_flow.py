"""`/codex review`: Codex reads a pull request's change; the bot posts one review of it.

The head is fetched into a repository of its own (``refs/pull/N/head``), never into the
workspace. A fork's change is a stranger's: Codex gets no tool that runs a command, works
in an empty folder (so no ``AGENTS.md``, skill or Codex config of theirs is loaded), and
reads the diff and the changed files the bot took from git's objects and attached to its
prompt. A same-repository change is the repository's own: Codex works on a throwaway
copy of the head, its commands run as the agent's user where there is one.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import replace
from pathlib import Path

from bot import messages, review_diff, reviews
from bot.errors import AgentError, BotError, ConfigError, GitHubError
from bot.events import Request, ReviewReply
from bot.forge import ChangedFile, Forge
from bot.git_copy import fetched_pull_head, file_texts, throwaway_copy
from bot.gitrepo import Repository
from bot.instructions import Assignment, agent_input
from bot.job import Job, agent_at_work
from bot.plans import neutral
from bot.report import Conclusion, Report
from bot.status import StatusComment, own_author

log = logging.getLogger("bot")


async def review(
    job: Job,
    request: Request,
    repo: Repository,
    destination: ReviewReply,
    report: Report,
    status: StatusComment | None,
) -> Report:
    from bot.deadline import Interrupted

    forge = job.forge
    pull = forge.pull(destination.pull_number)
    fork = pull.head_repo != forge.repository
    if fork and job.settings.mcp_command:  # found out before anything is fetched or run
        raise ConfigError(
            "A fork's pull request is reviewed only with the bot's own MCP server, which can "
            "take Codex's shell away.",
            hint="Run the review without mcp_command.",
        )
    prompt = agent_input(
        request.prompt, requester=report.requester, context=request.context(),
        task=reviews.REVIEW_TASK,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="codex-pr-bot-review-") as scratch:
        Path(scratch).chmod(0o711)  # the agent's own user works in the folder inside
        head, commit = fetched_pull_head(
            repo, Path(scratch) / "head", pull.number, forge.git_credentials(),
            secrets=job.secrets, inherit=job.git_env,
        )  # fmt: skip
        files = _files_of(forge, pull.number, pull.head_sha, commit)
        work, assignment = _set_up(job, head, commit, files, Path(scratch), prompt, fork=fork)
        log.info("reviewing #%s at %s (%s)", pull.number, commit[:12], "fork" if fork else "own")
        try:
            run = await agent_at_work(job, status, work, assignment)
        except Interrupted as stop:
            raise AgentError(f"The review was not finished: {stop.reason}.") from None
    findings = [
        reviews.Finding(f.path, f.line, f.body, f.start_line, f.suggestion)
        for f in run.result.findings
    ]
    arranged = reviews.arrange(findings, files, _posted(forge, pull.number, status), job.secrets)
    url, inline = _post(job, pull.number, commit, run.result.body, arranged)
    return replace(
        report,
        conclusion=Conclusion.REVIEWED,
        summary=neutral(run.result.summary, job.secrets),
        review_url=url,
        review_comments=inline,
    )


def _files_of(forge: Forge, number: int, head_sha: str, commit: str) -> list[ChangedFile]:
    """The diff of the commit Codex reads: the review is posted on that commit, and a diff
    of another one would put its comments on the wrong lines (or fail it with 422)."""
    if head_sha and head_sha != commit and forge.pull(number).head_sha != commit:
        raise GitHubError(
            f"Pull request #{number} changed while the bot read it.",
            hint="Comment again to review its newest commit.",
        )
    return forge.pull_files(number)


def _posted(forge: Forge, number: int, status: StatusComment | None) -> set[str]:
    """The findings the bot posted before; none when GitHub cannot tell (a repeat then is
    better than no review)."""
    try:
        me = own_author(forge.comments(status.thread), status.comment_id) if status else None
        return reviews.posted_markers(forge.review_notes(number), me)
    except BotError as exc:
        log.warning("could not read the earlier review comments: %s", exc)
        return set()


def _post(
    job: Job, number: int, commit: str, summary: str, arranged: reviews.Review
) -> tuple[str, int]:
    """One review, and how many comments it put on the diff; if GitHub refuses them, every
    finding goes in its body."""
    text = messages.fit_comment(reviews.body(summary, arranged, job.secrets))
    comments = arranged.comments
    try:
        url = job.forge.post_review(number, commit=commit, body=text, comments=comments)
        return url, len(comments)
    except GitHubError as exc:
        if not arranged.comments:
            raise
        log.warning("the review's inline comments were refused: %s", exc)
    moved = reviews.without_inline(arranged)
    text = messages.fit_comment(reviews.body(summary, moved, job.secrets))
    return job.forge.post_review(number, commit=commit, body=text, comments=[]), 0


def _set_up(
    job: Job,
    head: Repository,
    commit: str,
    files: list[ChangedFile],
    scratch: Path,
    prompt: str,
    *,
    fork: bool,
) -> tuple[Repository, Assignment]:
    """Where Codex works, and what it gets: see the module's docstring."""
    if fork:
        changed = [f.path for f in files if f.status != "removed"]
        texts = file_texts(head, commit, changed, review_diff.FILE_LIMIT, review_diff.FILES_LIMIT)
        empty = scratch / "empty"
        empty.mkdir()
        work = Repository(empty, secrets=job.secrets, isolated=True, inherit=job.git_env)
        work.run("init", "--quiet")
        return work, Assignment(prompt, reviews.attachment(files, texts), shell=False)
    copy = throwaway_copy(
        head, scratch / "copy", secrets=job.secrets, inherit=job.git_env, commit=commit
    )
    return copy, Assignment(prompt, reviews.attachment(files, {}))
