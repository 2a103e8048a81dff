"""The ``workflow_dispatch`` and ``schedule`` triggers: runs only writers can start.

Neither has a thread to reply in: the job summary and the outputs tell what happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import messages
from bot.authz import trusted
from bot.events import Batch, Destination, NewBranch, Parsed, Person, Skip, Trigger, person
from bot.events import default_branch as default_branch_of
from bot.forge import Forge, Thread
from bot.trigger_base import Complete, EventInputs, TriggerSpec


@dataclass(frozen=True)
class ManualRequest(Complete):
    """A run started by hand, with its prompt."""

    prompt: str
    requester: Person | None = None
    default_branch: str | None = None
    trigger: Trigger = field(default=Trigger.WORKFLOW_DISPATCH, init=False)
    thread: Thread | None = field(default=None, init=False)

    def destination(self, branch_prefix: str) -> Destination:
        return NewBranch(messages.branch_for_prompt(branch_prefix, self.prompt, "manual"))

    def context(self) -> str:
        return ""

    def acknowledge(self, forge: Forge) -> None:
        """Nothing to react to."""

    def retry_hint(self) -> str:
        return "run the workflow again to retry"


@dataclass(frozen=True)
class ScheduledRequest(Complete):
    """A scheduled run's prompt, or one named task of its ``tasks_dir``."""

    prompt: str
    task: str | None = None  # a named task: its own branch and pull request
    trigger: Trigger = field(default=Trigger.SCHEDULE, init=False)
    requester: Person | None = field(default=None, init=False)
    thread: Thread | None = field(default=None, init=False)
    default_branch: str | None = field(default=None, init=False)

    def destination(self, branch_prefix: str) -> Destination:
        if self.task is not None:
            return NewBranch(messages.branch_for_task(branch_prefix, self.task))
        return NewBranch(messages.branch_for_prompt(branch_prefix, self.prompt, "scheduled"))

    def context(self) -> str:
        return ""

    def acknowledge(self, forge: Forge) -> None:
        """Nothing to react to."""

    def retry_hint(self) -> str:
        return "the next scheduled run tries again"


def parse_dispatch(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    given = payload.get("inputs")
    text = given.get("prompt") if isinstance(given, Mapping) else None
    prompt = (text if isinstance(text, str) else "").strip() or inputs.configured_prompt
    if not prompt:
        return Skip("Manual run without a prompt: give the 'prompt' input.")
    sender = payload.get("sender")
    return ManualRequest(
        prompt,
        requester=person(sender) if isinstance(sender, Mapping) else None,
        default_branch=default_branch_of(payload),
    )


def parse_schedule(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    if inputs.tasks:
        return Batch(tuple(ScheduledRequest(text, task=name) for name, text in inputs.tasks))
    if not inputs.configured_prompt:
        return Skip("Scheduled run without a prompt: set 'prompt', 'prompt_file' or 'tasks_dir'.")
    return ScheduledRequest(inputs.configured_prompt)


# Only people with write access can run a workflow by hand or change its schedule.
DISPATCH = TriggerSpec(
    Trigger.WORKFLOW_DISPATCH, "workflow_dispatch", parse_dispatch, trust=trusted
)
SCHEDULE = TriggerSpec(Trigger.SCHEDULE, "schedule", parse_schedule, trust=trusted)
