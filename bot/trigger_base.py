"""What a trigger is, and what the triggers share. Pure.

A trigger module defines its own request type (the fields its event has, how its
branch, context, acknowledgement and retry hint follow from them) and builds one
``TriggerSpec``; ``bot.triggers`` registers it. Leaving out ``trust`` leaves the
default: the sender needs write access.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from bot import messages, trigger_text
from bot.authz import TrustRule, writers
from bot.errors import BotError, EventError
from bot.events import Answer, Parsed, Person, Skip, Trigger, find_prompt
from bot.forge import Forge, Thread
from bot.messages import OWN_COMMENT_MARK

log = logging.getLogger("bot")

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
    branch_prefix: str = "codex/"
    max_fix_attempts: int = 2


@dataclass(frozen=True)
class TriggerSpec:
    """One way in: the event (and actions) it answers, its parser and its trust rule."""

    kind: Trigger
    event: str
    parse: Callable[[Mapping[str, Any], EventInputs], Parsed]
    # The payload's ``action`` values it answers; empty for events without one.
    actions: frozenset[str] = frozenset()
    # Deny by default: a trigger that says nothing needs a writer (or allow-listed) sender.
    trust: TrustRule = writers


class AsParsed:
    """For a request that is what it was parsed as: admitting it changes nothing, and its
    reply says no more than how it ended."""

    def admit(self, forge: Forge) -> Self:
        return self

    def reply_note(self) -> str:
        return ""


class Complete(AsParsed):
    """For a request that is complete as parsed: settling it changes nothing either."""

    def settle(self, forge: Forge, own_comment: int | None) -> Self:
        return self

    def also_tell(self) -> tuple[Thread, ...]:
        return ()


@dataclass(frozen=True)
class CommentCommand(Complete):
    """A subcommand written in a comment (``plan``, ``review``): 👀 on that comment, its
    issue or pull request as the context."""

    prompt: str
    requester: Person
    thread: Thread
    comment_id: int
    trigger_word: str = "/codex"
    default_branch: str | None = None
    trigger: Trigger = field(default=Trigger.ISSUE_COMMENT, init=False)

    def context(self) -> str:
        return issue_context(self.thread)

    def acknowledge(self, forge: Forge) -> None:
        react(forge, self.thread, self.comment_id)


@dataclass(frozen=True)
class Command:
    """What a text trigger found: a reserved word or a prompt ("" for the bare word)."""

    subcommand: str | None
    prompt: str


def about(
    payload: Mapping[str, Any], event: str, thread_key: str, item_key: str
) -> tuple[Mapping[str, Any], Mapping[str, Any], int, int]:
    """What a text event is about: its thread (an issue or a pull request) and the item
    written there (a comment, a review), with the thread's number and the item's id."""
    thread, item = payload.get(thread_key), payload.get(item_key)
    if not isinstance(thread, Mapping) or not isinstance(item, Mapping):
        raise EventError(f"The {event} event lacks '{thread_key}' or '{item_key}'.")
    number, item_id = thread.get("number"), item.get("id")
    if not isinstance(number, int) or not isinstance(item_id, int):
        raise EventError(f"The {event} event lacks the {thread_key} number or {item_key} id.")
    return thread, item, number, item_id


def thread_of(number: int, issue: Mapping[str, Any], *, is_pull_request: bool) -> Thread:
    return Thread(
        number,
        title=str(issue.get("title") or ""),
        body=str(issue.get("body") or ""),
        is_pull_request=is_pull_request,
    )


def asked_in(body: str, trigger_word: str, what: str) -> Command | Skip:
    """The command in a text a person wrote, or why there is none (the bot's own text, or
    no trigger word where it may stand)."""
    if OWN_COMMENT_MARK in body:
        return Skip(f"The {what} is the bot's own.")
    command = command_in(body, trigger_word)
    if command is None:
        return Skip(f"The {what} does not start a line with {trigger_word}.")
    return command


def command_in(body: str, trigger_word: str) -> Command | None:
    """The one rule for every text trigger: the trigger word starts a line outside quotes
    and code; its first word is a subcommand if reserved, ``--`` forces a prompt."""
    text = find_prompt(body, trigger_word)
    if text is None:
        return None
    words = text.split(maxsplit=1)
    first = words[0] if words else ""
    rest = words[1].strip() if len(words) > 1 else ""
    if first == PROMPT_MARK:
        return Command(None, rest)
    if first in SUBCOMMANDS:
        return Command(first, rest)
    return Command(None, text)


def answer_to(
    command: Command, trigger: Trigger, trigger_word: str, sender: Person, thread: Thread
) -> Answer | None:
    """The reply a command gets instead of a run (usage, a reserved word), if any."""
    if command.subcommand == "plan":  # without a request: how to ask for a plan
        reply = messages.usage_reply(f"{trigger_word} plan")
        return Answer(trigger, sender, thread, reply, summary="Empty request: replied with usage.")
    if command.subcommand == "review":  # on an issue: there is no change to review
        reply = trigger_text.review_needs_pull(trigger_word)
        return Answer(trigger, sender, thread, reply, summary=reply)
    if command.subcommand is not None:
        reply = trigger_text.subcommand_not_here(trigger_word, command.subcommand)
        return Answer(trigger, sender, thread, reply, summary=reply)
    if not command.prompt:
        reply = messages.usage_reply(trigger_word)
        return Answer(trigger, sender, thread, reply, summary="Empty request: replied with usage.")
    return None


def issue_context(thread: Thread) -> str:
    """The issue or pull request a comment was written in, as background."""
    return f"Issue #{thread.number}: {thread.title}\n\n{thread.body}"


def react(forge: Forge, thread: Thread, comment_id: int | None = None) -> None:
    """👀 on what asked; a refusal only costs the reaction."""
    try:
        forge.react(thread, comment_id)
    except BotError as exc:
        log.warning("could not add a reaction on #%s: %s", thread.number, exc)
