"""One run's values, and the agent's phase as every kind of request runs it.

The composition root builds the ``Job``; the use case (``workflow``, ``review_flow``)
runs the agent through ``agent_at_work``: within the deadline and the budget, its
progress shown in the status comment.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import messages
from bot.forge import Forge
from bot.gitrepo import Repository
from bot.run_context import RunnerContext
from bot.settings import Settings
from bot.spend import Ledger
from bot.status import StatusComment

if TYPE_CHECKING:  # the Agents SDK is imported only once the agent runs
    from bot.agent import AgentRun
    from bot.instructions import Assignment
    from bot.progress_events import OnProgress

# Kept back from the agent's share of the deadline to publish what exists.
PUBLISH_RESERVE_SECONDS = 45.0
# The agent's phase: it works in the repository on its assignment, tells what it is doing
# as it goes, and says what it did.
AgentPhase = Callable[[Repository, "Assignment", "OnProgress"], Coroutine[Any, Any, "AgentRun"]]


@dataclass(frozen=True)
class Job:
    """Everything one run needs, built once by the composition root."""

    settings: Settings
    context: RunnerContext
    forge: Forge
    agent: AgentPhase
    # The run's budget and what was spent so far, kept by the model proxy.
    ledger: Ledger
    secrets: Sequence[str]
    # The variables git may start from (an allow-list the root chose).
    git_env: Mapping[str, str]
    started: float
    # How often the status comment may show the agent's progress.
    progress_every: float = 10.0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def repository(self) -> Repository:
        path = self.context.workspace
        return Repository(path, secrets=self.secrets, isolated=True, inherit=self.git_env)


async def agent_at_work(
    job: Job, status: StatusComment | None, repo: Repository, assignment: Assignment
) -> AgentRun:
    """The agent works within the deadline and the budget, its progress in the comment."""
    # Imported only now: the first feedback does not wait for them.
    from bot.deadline import run_within
    from bot.live_status import LiveStatus, shown
    from bot.progress import Throttle

    live = None
    if status is not None:
        live = LiveStatus(
            status,
            messages.working_status(job.context.run_url),
            ledger=job.ledger,
            secrets=job.secrets,
            available=not job.settings.mcp_command,
            throttle=Throttle(interval=job.progress_every),
            started=time.monotonic(),
        )
    async with shown(live) as heard:
        work = job.agent(repo, assignment, heard)
        return await run_within(work, seconds=_agent_seconds(job), budget=job.ledger)


def _agent_seconds(job: Job) -> float:
    """The agent's share of what is left of the deadline; the rest publishes."""
    left = job.settings.timeout_minutes * 60 - job.elapsed()
    return left - min(PUBLISH_RESERVE_SECONDS, left / 10)
