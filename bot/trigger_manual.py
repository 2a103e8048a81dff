"""The ``workflow_dispatch`` and ``schedule`` triggers: runs only writers can start."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot import messages
from bot.authz import trusted
from bot.events import Batch, Parsed, Request, Skip, Trigger, default_branch, person
from bot.trigger_base import EventInputs, TriggerSpec


def parse_dispatch(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    given = payload.get("inputs")
    text = given.get("prompt") if isinstance(given, Mapping) else None
    prompt = (text if isinstance(text, str) else "").strip() or inputs.configured_prompt
    if not prompt:
        return Skip("Manual run without a prompt: give the 'prompt' input.")
    sender = payload.get("sender")
    return Request(
        Trigger.WORKFLOW_DISPATCH,
        prompt=prompt,
        requester=person(sender) if isinstance(sender, Mapping) else None,
        default_branch=default_branch(payload),
    )


def parse_schedule(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    if inputs.tasks:
        return Batch(
            tuple(Request(Trigger.SCHEDULE, prompt=text, task=name) for name, text in inputs.tasks)
        )
    if not inputs.configured_prompt:
        return Skip("Scheduled run without a prompt: set 'prompt', 'prompt_file' or 'tasks_dir'.")
    return Request(Trigger.SCHEDULE, prompt=inputs.configured_prompt)


def _branch(kind: str) -> Callable[[Request, str], str]:
    def branch(request: Request, prefix: str) -> str:
        if request.task is not None:
            return messages.branch_for_task(prefix, request.task)
        return messages.branch_for_prompt(prefix, request.prompt, kind)

    return branch


def _no_context(request: Request) -> str:
    return ""


# Only people with write access can run a workflow by hand or change its schedule.
DISPATCH = TriggerSpec(
    Trigger.WORKFLOW_DISPATCH,
    "workflow_dispatch",
    parse_dispatch,
    trust=trusted,
    branch=_branch("manual"),
    context=_no_context,
)
SCHEDULE = TriggerSpec(
    Trigger.SCHEDULE,
    "schedule",
    parse_schedule,
    trust=trusted,
    branch=_branch("scheduled"),
    context=_no_context,
)
