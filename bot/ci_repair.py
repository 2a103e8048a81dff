"""Repairing CI on a pull request: which failure, which attempt, and when to stop.

All of it is decided before anyone is told. A failed run on a branch that is not the
bot's own pull request is left alone without a word; a repair that should not happen
(the same failure again, no attempts left, a person's push, a failure that is not the
code's) ends in one comment that says so, and later failures stay silent until someone
asks with ``/codex fix-ci``. Attempts and stops are counted from hidden markers in the
comments of the pull request's author (the bot's own identity); markers in anyone
else's comments count for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot import ci_logs, ci_text, messages
from bot.events import Answer, Destination, FollowUp, Person, Skip, Trigger
from bot.forge import CiJob, CiRun, Forge, Pull, Thread, ThreadComment
from bot.trigger_base import Complete, react

LOG_BYTES = 2 << 20  # the end of each failed job's log that is read
MOST_JOBS = 3  # failed jobs whose logs Codex gets
EXCERPT_CHARS = 6000  # of each log

_MARK = re.compile(
    re.escape(messages.OWN_COMMENT_MARK) + r"ci-(fix|stop) attempt=(\d+) failure=([0-9a-f]+) -->"
)


@dataclass(frozen=True)
class History:
    attempts: int = 0  # repairs tried on this pull request
    last: str | None = None  # the kind of the latest marker: "fix" or "stop"
    last_failure: str = ""  # and the failure it was about


def history(comments: Sequence[ThreadComment], bot: str) -> History:
    found = [
        m for c in comments if c.author == bot for m in [_MARK.search(c.body)] if m is not None
    ]
    if not found:
        return History()
    attempts = sum(1 for m in found if m[1] == "fix")
    return History(attempts, found[-1][1], found[-1][3])


@dataclass(frozen=True)
class Failure:
    run: CiRun
    jobs: tuple[CiJob, ...]
    logs: tuple[ci_logs.Excerpt, ...]
    fingerprint: str


def read_failure(forge: Forge, run: CiRun) -> Failure | None:
    """The run's failed jobs and the end of their logs; None when no job failed."""
    jobs = forge.failed_jobs(run)[:MOST_JOBS]
    if not jobs:
        return None
    logs = tuple(
        ci_logs.excerpt(job, forge.job_log(job.id, LOG_BYTES), limit=EXCERPT_CHARS) for job in jobs
    )
    return Failure(run, tuple(jobs), logs, ci_logs.fingerprint(logs))


@dataclass(frozen=True)
class CiFix(Complete):
    """A repair of a pull request's failed CI, admitted: one commit on its branch."""

    thread: Thread
    failure: Failure
    attempt: int
    most: int | None  # None when a person asked for it
    requester: Person | None = None
    comment_id: int | None = None  # the `/codex fix-ci` comment, when asked for
    default_branch: str | None = None
    trigger: Trigger = Trigger.WORKFLOW_RUN  # ISSUE_COMMENT when asked for
    prompt: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prompt", ci_text.prompt(self.failure.jobs))

    def destination(self, branch_prefix: str) -> Destination:
        return FollowUp(self.thread.number)

    def context(self) -> str:
        return "\n\n".join(ci_text.log_context(log.job, log.text) for log in self.failure.logs)

    def acknowledge(self, forge: Forge) -> None:
        if self.comment_id is not None:
            react(forge, self.thread, self.comment_id)

    def retry_hint(self) -> str:
        return "comment `/codex fix-ci` to try again"

    def reply_note(self) -> str:
        return ci_text.attempt_note(
            self.failure.jobs, self.attempt, self.most, self.failure.fingerprint
        )


def _stop(trigger: Trigger, who: Person, thread: Thread, reason: str, seen: History,
          failure: str) -> Answer:  # fmt: skip
    return Answer(trigger, who, thread, ci_text.stop(reason, seen.attempts, failure), reason)


def automatic(
    forge: Forge, thread: Thread, run: CiRun, head_branch: str, most: int, sender: Person
) -> CiFix | Answer | Skip:
    """A failed run of the head of one of the bot's own pull requests: repair it, or say
    once why not, or leave it alone."""
    pull = forge.pull(thread.number)
    if not _bots_own(pull, forge.repository, head_branch):
        return Skip(f"#{pull.number} is not an open pull request the bot opened.")
    if pull.head_sha != run.head_sha:
        return Skip(f"#{pull.number} moved on since this run; a later run decides.")
    seen = history(forge.comments(thread), pull.author)
    if seen.last == "stop":
        return Skip(f"Repairs of #{pull.number} stopped earlier; `/codex fix-ci` restarts them.")
    trigger = Trigger.WORKFLOW_RUN
    if forge.git.author_of(pull.head_sha) != messages.BOT_IDENTITY.email:
        return _stop(trigger, sender, thread, ci_text.person_pushed(pull.head_sha), seen, "0")
    if seen.attempts >= most:
        reason = ci_text.out_of_attempts(seen.attempts)
        return _stop(trigger, sender, thread, reason, seen, seen.last_failure or "0")
    failure = read_failure(forge, run)
    if failure is None:
        return Skip(f"Run {run.id} has no failed job.")
    why = ci_logs.not_the_code(failure.logs)
    if why is not None:
        return _stop(trigger, sender, thread, ci_text.not_the_code(why), seen, failure.fingerprint)
    if seen.last == "fix" and seen.last_failure == failure.fingerprint:
        reason = ci_text.same_failure(failure.jobs, seen.attempts)
        return _stop(trigger, sender, thread, reason, seen, failure.fingerprint)
    return CiFix(thread, failure, seen.attempts + 1, most, default_branch=pull.base_branch)


def on_demand(
    forge: Forge, thread: Thread, requester: Person, comment_id: int, trigger: Trigger
) -> CiFix | Answer:
    """``/codex fix-ci``: a writer asks to repair the latest failed run of the head, on any
    pull request from this repository — attempts are not capped, a person asked."""

    def answer(text: str) -> Answer:
        return Answer(trigger, requester, thread, text, text)

    pull = forge.pull(thread.number)
    if pull.head_repo != forge.repository:
        return answer(ci_text.fork_pull())
    run = forge.failed_run(pull.head_sha)
    failure = read_failure(forge, run) if run is not None else None
    if failure is None:
        return answer(ci_text.no_failed_run(pull.head_sha))
    why = ci_logs.not_the_code(failure.logs)
    if why is not None:
        return answer(ci_text.not_the_code(why))
    seen = history(forge.comments(thread), pull.author)
    return CiFix(thread, failure, seen.attempts + 1, None, requester, comment_id, trigger=trigger)


def _bots_own(pull: Pull, repository: str, head_branch: str) -> bool:
    return (
        pull.open
        and pull.head_repo == repository
        and pull.head_branch == head_branch
        and messages.PULL_MARK in pull.body
    )
