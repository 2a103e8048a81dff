"""The ``issue_comment`` trigger: a new comment with the trigger word at the start of a line."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.errors import BotError, EventError
from bot.events import (
    EmptyRequest,
    Parsed,
    Request,
    Skip,
    Subcommand,
    Trigger,
    default_branch,
    find_prompt,
    person,
)
from bot.messages import OWN_COMMENT_MARK
from bot.trigger_base import Acknowledger, TriggerSpec, split_subcommand

log = logging.getLogger("bot")


def parse(payload: Mapping[str, Any], trigger: str) -> Parsed:
    action = payload.get("action")
    if action != "created":
        return Skip(f"Comment was {action}, not created; only new comments are requests.")
    issue, comment = payload.get("issue"), payload.get("comment")
    if not isinstance(issue, Mapping) or not isinstance(comment, Mapping):
        raise EventError("The issue_comment event lacks 'issue' or 'comment'.")
    number, comment_id = issue.get("number"), comment.get("id")
    if not isinstance(number, int) or not isinstance(comment_id, int):
        raise EventError("The issue_comment event lacks the issue number or comment id.")
    body = str(comment.get("body") or "")
    if OWN_COMMENT_MARK in body:
        return Skip("The comment is the bot's own.")
    prompt = find_prompt(body, trigger)
    if prompt is None:
        return Skip(f"The comment does not start a line with {trigger}.")
    sender = person(payload.get("sender"))
    word, prompt = split_subcommand(prompt)
    if word is not None:
        return Subcommand(word, requester=sender, issue_number=number, comment_id=comment_id)
    if not prompt:
        return EmptyRequest(requester=sender, issue_number=number, comment_id=comment_id)
    return Request(
        trigger=Trigger.ISSUE_COMMENT,
        prompt=prompt,
        requester=sender,
        issue_number=number,
        issue_title=str(issue.get("title") or ""),
        issue_body=str(issue.get("body") or ""),
        comment_id=comment_id,
        on_pull_request=bool(issue.get("pull_request")),
        default_branch=default_branch(payload),
    )


def acknowledge(forge: Acknowledger, request: Request) -> None:
    """👀 on the comment that asked."""
    assert request.issue_number is not None
    assert request.comment_id is not None
    try:
        forge.react(request.issue_number, request.comment_id)
    except BotError as exc:
        log.warning("could not react to the comment: %s", exc)


TRIGGER = TriggerSpec(
    Trigger.ISSUE_COMMENT,
    "issue_comment",
    lambda payload, inputs: parse(payload, inputs.trigger_word),
    acknowledge=acknowledge,
)
