"""The ``pull_request_review`` trigger: a "Request changes" review whose text starts with
the trigger word asks for all its comments to be addressed, in one run and one commit.

The review's comments are read once the request is settled; the final word goes to the
pull request's conversation, and each review thread gets a reply with the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot import trigger_text
from bot.events import Answer, Destination, FollowUp, Parsed, Person, Skip, Trigger, person
from bot.events import default_branch as default_branch_of
from bot.forge import DiffComment, Forge, Thread
from bot.messages import OWN_COMMENT_MARK
from bot.review_diff import on_lines
from bot.trigger_base import (
    AsParsed,
    EventInputs,
    TriggerSpec,
    about,
    asked_in,
    command_in,
    react,
    thread_of,
)

ADDRESS_ALL = "Address every comment of this review."
# A review's comments given as context, each bounded.
_COMMENTS = 50
_COMMENT_LIMIT = 2_000


@dataclass(frozen=True)
class ChangesRequest(AsParsed):
    """A review that requests changes, asking the bot to make them."""

    prompt: str
    requester: Person
    thread: Thread
    review_id: int
    default_branch: str | None = None
    comments: tuple[DiffComment, ...] = ()  # once settled
    trigger: Trigger = field(default=Trigger.REVIEW, init=False)

    def destination(self, branch_prefix: str) -> Destination:
        return FollowUp(self.thread.number)

    def context(self) -> str:
        """The review's comments, each with where in the diff it sits."""
        blocks = [_described(n, c) for n, c in enumerate(self.comments[:_COMMENTS], 1)]
        left_out = len(self.comments) - len(blocks)
        more = f"\n\n({left_out} more comments are left for a later review.)" if left_out else ""
        return "The review's comments, each to be addressed:\n\n" + "\n\n".join(blocks) + more

    def acknowledge(self, forge: Forge) -> None:
        react(forge, self.thread)  # a review takes no reaction: 👀 on the pull request

    def retry_hint(self) -> str:
        return "request changes again in a review that starts with the trigger word to retry"

    def settle(self, forge: Forge, own_comment: int | None) -> ChangesRequest:
        return replace(
            self, comments=tuple(forge.review_comments(self.thread.number, self.review_id))
        )

    def also_tell(self) -> tuple[Thread, ...]:
        # Only the threads whose comments the agent was given.
        roots = dict.fromkeys(c.thread_root for c in self.comments[:_COMMENTS])
        return tuple(replace(self.thread, review_comment=root) for root in roots)


def _described(number: int, c: DiffComment) -> str:
    where = on_lines(c.path, c.line, c.start_line, c.diff_hunk)
    return f"{number}. On {where}\n@{c.author}: {c.body.strip()[:_COMMENT_LIMIT]}"


def parse(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    pull, review, number, review_id = about(
        payload, "pull_request_review", "pull_request", "review"
    )
    if str(review.get("state") or "").lower() != "changes_requested":
        return Skip("The review does not request changes.")
    command = asked_in(str(review.get("body") or ""), inputs.trigger_word, "review")
    if isinstance(command, Skip):
        return command
    thread = thread_of(number, pull, is_pull_request=True)
    sender = person(payload.get("sender"))
    if command.subcommand is not None:
        reply = trigger_text.in_review(inputs.trigger_word)
        return Answer(Trigger.REVIEW, sender, thread, reply, summary=reply)
    prompt = command.prompt or ADDRESS_ALL
    return ChangesRequest(prompt, sender, thread, review_id, default_branch_of(payload))


def triggers_itself(review_state: str, body: str, trigger_word: str) -> bool:
    """Whether a submitted review is a request of its own (its comments then are not)."""
    if review_state.upper() != "CHANGES_REQUESTED" or OWN_COMMENT_MARK in body:
        return False
    command = command_in(body, trigger_word)
    return command is not None and command.subcommand is None


TRIGGER = TriggerSpec(
    Trigger.REVIEW, "pull_request_review", parse, actions=frozenset({"submitted"})
)
