"""The ``issues`` ``labeled`` trigger: a writer labels an issue, its title and body ask.

The writer who adds the label vouches for a text someone else may have written. The
label comes off when the run starts, so adding it again asks again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import messages, trigger_text
from bot.errors import BotError, EventError
from bot.events import Destination, NewBranch, Parsed, Person, Skip, Trigger, person
from bot.events import default_branch as default_branch_of
from bot.forge import Forge, Thread
from bot.trigger_base import Complete, EventInputs, TriggerSpec, react

log = logging.getLogger("bot")


@dataclass(frozen=True)
class LabelRequest(Complete):
    """An issue labelled to ask: its title and body are the request."""

    prompt: str
    requester: Person
    thread: Thread
    label: str
    default_branch: str | None = None
    trigger: Trigger = field(default=Trigger.ISSUE_LABELED, init=False)

    def destination(self, branch_prefix: str) -> Destination:
        return NewBranch(messages.branch_for_issue(branch_prefix, self.thread.number))

    def context(self) -> str:
        return ""  # the issue is the request itself

    def acknowledge(self, forge: Forge) -> None:
        """👀 on the issue, and the label off so that adding it again asks again."""
        react(forge, self.thread)
        try:
            forge.remove_label(self.thread, self.label)
        except BotError as exc:
            log.warning("could not remove the label '%s': %s", self.label, exc)

    def retry_hint(self) -> str:
        return f"add the label `{self.label}` again to retry"


def parse(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
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
        prompt=f"{title}\n\n{body}".strip(),
        requester=person(payload.get("sender")),
        thread=Thread(number, title=title, body=body),
        label=inputs.trigger_label,
        default_branch=default_branch_of(payload),
    )


TRIGGER = TriggerSpec(Trigger.ISSUE_LABELED, "issues", parse, actions=frozenset({"labeled"}))
