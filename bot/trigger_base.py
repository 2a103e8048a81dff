"""What a trigger is: the event it answers, its parser, its trust rule, its branch and reply.

A trigger module builds one ``Trigger`` value; ``bot.triggers`` registers it. Leaving
out ``trust`` leaves the default: the sender needs write access. Pure, apart from the
``acknowledge`` step, which speaks to the forge it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot import messages
from bot.authz import TrustRule, writers
from bot.events import Parsed, Request, Trigger

# The first word after the trigger word is reserved for these; `/codex -- text` makes
# the rest a prompt whatever its first word.
SUBCOMMANDS = frozenset({"review", "plan", "go", "fix-ci"})
PROMPT_MARK = "--"


@dataclass(frozen=True)
class EventInputs:
    """The settings a trigger reads to turn a payload into a request."""

    trigger_word: str = "/codex"
    trigger_label: str = "codex"
    configured_prompt: str | None = None
    tasks: Sequence[tuple[str, str]] = ()


class Acknowledger(Protocol):
    """What the first feedback of a request needs of the forge."""

    def react(self, issue_number: int, comment_id: int, content: str = "eyes") -> None: ...

    def react_to_issue(self, issue_number: int, content: str = "eyes") -> None: ...

    def remove_label(self, issue_number: int, name: str) -> None: ...


def no_acknowledgement(forge: Acknowledger, request: Request) -> None:
    """Nothing to react to: the status comment (if any) is the feedback."""


def issue_context(request: Request) -> str:
    """The issue or pull request a comment was written on, as background."""
    if request.issue_number is None:
        return ""
    return f"Issue #{request.issue_number}: {request.issue_title}\n\n{request.issue_body}"


def issue_branch(request: Request, prefix: str) -> str:
    assert request.issue_number is not None, "an issue trigger's request names its issue"
    return messages.branch_for_issue(prefix, request.issue_number)


@dataclass(frozen=True)
class TriggerSpec:
    """One way in: which event (and actions) it answers and what a request from it implies."""

    kind: Trigger
    event: str
    parse: Callable[[Mapping[str, Any], EventInputs], Parsed]
    # Deny by default: a trigger that says nothing needs a writer (or allow-listed) sender.
    trust: TrustRule = writers
    acknowledge: Callable[[Acknowledger, Request], None] = no_acknowledgement
    branch: Callable[[Request, str], str] = issue_branch
    context: Callable[[Request], str] = issue_context


def split_subcommand(prompt: str) -> tuple[str | None, str]:
    """(reserved word or None, prompt): the first word decides, ``--`` forces a prompt."""
    words = prompt.split(maxsplit=1)
    first = words[0] if words else ""
    rest = words[1].strip() if len(words) > 1 else ""
    if first == PROMPT_MARK:
        return None, rest
    if first in SUBCOMMANDS:
        return first, rest
    return None, prompt
