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
from bot.errors import AgentError
from bot.events import Request, ReviewReply
from bot.forge import ChangedFile, Forge
from bot.git_copy import fetched_pull_head, file_texts, throwaway_copy
from bot.gitrepo import Repository
from bot.instructions import Assignment, agent_input
from bot.job import Job, agent_at_work
from bot.plans import neutral
from bot.report import Conclusion, Report
from bot.status import StatusComment

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
    files = forge.pull_files(pull.number)
    fork = pull.head_repo != forge.repository
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
    me = _own_login(forge, status)
    posted = reviews.posted_markers(forge.review_notes(pull.number), me)
    arranged = reviews.arrange(findings, files, posted, job.secrets)
    text = messages.fit_comment(reviews.body(run.result.body, arranged, job.secrets))
    url = forge.post_review(
        pull.number, commit=pull.head_sha or commit, body=text, comments=arranged.comments
    )
    return replace(
        report,
        conclusion=Conclusion.REVIEWED,
        summary=neutral(run.result.summary, job.secrets),
        review_url=url,
        review_comments=len(arranged.comments),
    )


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
        texts = file_texts(head, commit, changed, review_diff.FILE_LIMIT)
        empty = scratch / "empty"
        empty.mkdir()
        work = Repository(empty, secrets=job.secrets, isolated=True, inherit=job.git_env)
        work.run("init", "--quiet")
        return work, Assignment(prompt, reviews.attachment(files, texts), shell=False)
    copy = throwaway_copy(
        head, scratch / "copy", secrets=job.secrets, inherit=job.git_env, commit=commit
    )
    return copy, Assignment(prompt, reviews.attachment(files, {}))


def _own_login(forge: Forge, status: StatusComment | None) -> str | None:
    """Who the bot is here: the author of its own status comment in the thread."""
    if status is None or status.comment_id is None:
        return None
    mine = [c.author for c in forge.comments(status.thread) if c.id == status.comment_id]
    return mine[0] if mine else None
