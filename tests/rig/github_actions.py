"""Workflow runs, their jobs and the jobs' logs, as the GitHub fake keeps them; the tests add
them with `ActionsHelpers`' methods on the fake, the handlers are in github_actions_handlers.py.

A job's log is downloaded the way GitHub hands it out: the API answers 302 with a signed URL
of blob storage (served by the same fake, outside the API prefix) that expires after a
minute and refuses a request carrying an Authorization header; each request to it is
recorded in `downloads`, so a test can check that the token never went there.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .github_state import GitHubState

LOG_PREFIX = "/_blob/job-logs/"  # where the log downloads live, outside the API's prefix
_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class Step:
    number: int
    name: str
    status: str  # queued, in_progress, completed
    conclusion: str | None
    started_at: str | None
    completed_at: str | None


@dataclass
class WorkflowRun:
    id: int
    name: str
    head_branch: str
    head_sha: str
    event: str
    status: str  # queued, in_progress, completed, ...
    conclusion: str | None  # success, failure, cancelled, ... (None until completed)
    path: str  # the workflow file, ".github/workflows/ci.yml"
    pull_numbers: list[int]
    head_repo: str  # full name; a fork's for a pull request from one
    actor: str
    run_number: int
    run_attempt: int
    created_at: str
    updated_at: str


@dataclass
class Job:
    id: int
    run_id: int
    run_attempt: int
    name: str
    status: str
    conclusion: str | None
    steps: list[Step]
    log: str
    created_at: str
    started_at: str
    completed_at: str | None


@dataclass
class LogDownload:
    """One request to a log's download URL."""

    path: str
    authorization: str | None  # the Authorization header it carried, if any
    status: int


@dataclass
class LogLink:
    job_id: int
    signature: str
    expires: float  # time.time() after which the URL is refused


@dataclass
class ActionsState:
    runs: dict[int, WorkflowRun] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    links: dict[str, LogLink] = field(default_factory=dict)  # by the URL's random name
    downloads: list[LogDownload] = field(default_factory=list)
    # GitHub's docs of download-job-logs-for-workflow-run: "The link expires after 1 minute."
    link_seconds: float = 60.0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(18_000_000_001))

    def next_id(self) -> int:
        return next(self._ids)


def _at(start: datetime, seconds: int) -> str:
    return (start + timedelta(seconds=seconds)).strftime(_TIME)


class ActionsHelpers:
    """The GitHub fake's helpers for workflow runs (mixed into GitHubFake)."""

    state: GitHubState

    def add_workflow_run(
        self,
        *,
        head_branch: str,
        head_sha: str | None = None,
        name: str = "CI",
        conclusion: str | None = "failure",
        status: str | None = None,
        event: str = "pull_request",
        path: str = ".github/workflows/ci.yml",
        pull_requests: Sequence[int] | None = None,
        head_repo: str | None = None,
        actor: str = "octocat",
        run_attempt: int = 1,
    ) -> int:
        """A run of workflow `name` on `head_branch` (of `head_repo`, a fork's full name, or
        of the repository) at `head_sha` (the branch's tip by default), completed with
        `conclusion` (None: still in progress). Its pull requests are `pull_requests` or, as
        GitHub lists them, the open ones from `head_branch` of the same repository; a run
        from a fork lists none, as on GitHub. Returns its id."""
        st = self.state
        with st.lock:
            st.see(actor)
            repo = head_repo or st.full_name
            if pull_requests is None:
                pull_requests = [
                    p.number
                    for p in st.issues.values()
                    if p.is_pull
                    and p.state == "open"
                    and p.head == head_branch
                    and p.head_repo == st.full_name
                ]
            tip = st.branch_sha(head_branch) if repo == st.full_name else None
            sha = head_sha or tip or hashlib.sha1(head_branch.encode()).hexdigest()  # noqa: S324
            created = datetime.now(UTC).replace(microsecond=0)
            run = WorkflowRun(
                id=st.actions.next_id(),
                name=name,
                head_branch=head_branch,
                head_sha=sha,
                event=event,
                status=status or ("in_progress" if conclusion is None else "completed"),
                conclusion=conclusion,
                path=path,
                pull_numbers=[] if repo != st.full_name else list(pull_requests),
                head_repo=repo,
                actor=actor,
                run_number=sum(r.path == path for r in st.actions.runs.values()) + 1,
                run_attempt=run_attempt,
                created_at=created.strftime(_TIME),
                updated_at=_at(created, 90),
            )
            st.actions.runs[run.id] = run
            return run.id

    def add_job(
        self,
        run_id: int,
        name: str = "test",
        conclusion: str | None = "failure",
        steps: Sequence[tuple[str, str | None]] = (),
        log: str = "",
        run_attempt: int | None = None,
    ) -> int:
        """A job of run `run_id` (of its latest attempt unless told) with `steps`
        ((name, conclusion) each, None for one still running) between the "Set up job" and
        "Complete job" steps GitHub shows for every job, and `log`, the text its log
        download serves. Returns its id."""
        st = self.state
        with st.lock:
            run = st.actions.runs[run_id]
            start = datetime.strptime(run.created_at, _TIME).replace(tzinfo=UTC)
            named = [("Set up job", "success"), *steps]
            if conclusion is not None:
                named.append(("Complete job", "success"))
            found = [
                Step(
                    number=n,
                    name=step,
                    status="in_progress" if outcome is None else "completed",
                    conclusion=outcome,
                    started_at=_at(start, 5 + 3 * n),
                    completed_at=None if outcome is None else _at(start, 7 + 3 * n),
                )
                for n, (step, outcome) in enumerate(named, start=1)
            ]
            job = Job(
                id=st.actions.next_id(),
                run_id=run_id,
                run_attempt=run_attempt or run.run_attempt,
                name=name,
                status="in_progress" if conclusion is None else "completed",
                conclusion=conclusion,
                steps=found,
                log=log,
                created_at=_at(start, 2),
                started_at=_at(start, 5),
                completed_at=None if conclusion is None else _at(start, 8 + 3 * len(found)),
            )
            st.actions.jobs[job.id] = job
            return job.id

    @property
    def log_downloads(self) -> list[LogDownload]:
        """Every request made to a log's download URL, as copies."""
        with self.state.lock:
            return copy.deepcopy(self.state.actions.downloads)

    @property
    def log_downloads_with_auth(self) -> list[LogDownload]:
        """The requests to a log's download URL that carried an Authorization header (a
        token sent where GitHub's never goes): a test asserts there are none."""
        return [d for d in self.log_downloads if d.authorization is not None]
