"""The ``issues`` ``labeled`` trigger: a writer labels an issue, its title and body ask.

The writer who adds the label vouches for a text someone else may have written. The
label comes off when the run starts, so adding it again asks again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot import trigger_text
from bot.errors import BotError, EventError
from bot.events import LabelRequest, Parsed, Request, Skip, Trigger, default_branch, person
from bot.trigger_base import Acknowledger, EventInputs, TriggerSpec, issue_branch

log = logging.getLogger("bot")


def parse(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    action = payload.get("action")
    if action != "labeled":
        return Skip(trigger_text.label_action_skipped(action))
    issue, label = payload.get("issue"), payload.get("label")
    if not isinstance(issue, Mapping) or not isinstance(label, Mapping):
        raise EventError("The issues event lacks 'issue' or 'label'.")
    if label.get("name") != inputs.trigger_label:
        return Skip(trigger_text.other_label(label.get("name"), inputs.trigger_label))
    if issue.get("pull_request"):
        return Skip(trigger_text.LABEL_ON_PULL_REQUEST)
    number = issue.get("number")
    if not isinstance(number, int):
        raise EventError("The issues event lacks the issue number.")
    title, body = str(issue.get("title") or ""), str(issue.get("body") or "")
    return LabelRequest(
        trigger=Trigger.ISSUE_LABELED,
        prompt=f"{title}\n\n{body}".strip(),
        requester=person(payload.get("sender")),
        issue_number=number,
        issue_title=title,
        issue_body=body,
        default_branch=default_branch(payload),
        label=inputs.trigger_label,
    )


def acknowledge(forge: Acknowledger, request: Request) -> None:
    """👀 on the issue, and the label off so that adding it again asks again."""
    assert isinstance(request, LabelRequest)
    assert request.issue_number is not None
    try:
        forge.react_to_issue(request.issue_number)
    except BotError as exc:
        log.warning("could not react to the issue: %s", exc)
    try:
        forge.remove_label(request.issue_number, request.label)
    except BotError as exc:
        log.warning("could not remove the label '%s': %s", request.label, exc)


def _no_context(request: Request) -> str:
    return ""  # the issue is the request itself


TRIGGER = TriggerSpec(
    Trigger.ISSUE_LABELED,
    "issues",
    parse,
    acknowledge=acknowledge,
    branch=issue_branch,
    context=_no_context,
)
