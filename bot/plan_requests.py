"""``/codex plan <request>`` and ``/codex go``: the comment trigger's two-step requests.

A plan request runs Codex on a throwaway copy and answers with the plan; a go request
becomes a change request once it has found the thread's latest ready plan (and marked it
used), or an answer saying there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import messages, plans, trigger_text
from bot.events import Answer, Destination, FollowUp, NewBranch, Person, PlanReply, Trigger
from bot.forge import Forge, Thread
from bot.trigger_base import AsParsed, CommentCommand, Complete, issue_context, react


@dataclass(frozen=True)
class PlanRequest(CommentCommand):
    """Asked for a plan: Codex reads, changes nothing; the plan is the reply."""

    def destination(self, branch_prefix: str) -> Destination:
        return PlanReply()

    def retry_hint(self) -> str:
        return f"comment `{self.trigger_word} plan …` again to retry"


@dataclass(frozen=True)
class GoRequest(AsParsed):
    """Asked to carry out the thread's latest plan; ``prompt`` holds any extra words."""

    prompt: str
    requester: Person
    thread: Thread
    comment_id: int
    trigger_word: str = "/codex"
    default_branch: str | None = None
    trigger: Trigger = field(default=Trigger.ISSUE_COMMENT, init=False)

    def destination(self, branch_prefix: str) -> Destination:
        if self.thread.is_pull_request:
            return FollowUp(self.thread.number)
        return NewBranch(messages.branch_for_issue(branch_prefix, self.thread.number))

    def context(self) -> str:
        # A pull request's own text comes with the follow-up's target, as it stands now.
        return "" if self.thread.is_pull_request else issue_context(self.thread)

    def acknowledge(self, forge: Forge) -> None:
        react(forge, self.thread, self.comment_id)

    def retry_hint(self) -> str:
        return f"ask for a new plan with `{self.trigger_word} plan …` to retry"

    def also_tell(self) -> tuple[Thread, ...]:
        return ()

    def settle(self, forge: Forge, own_comment: int | None) -> PlanGo | Answer:
        found = plans.latest_ready(forge.comments(self.thread), own_comment)
        if found is None:
            reply = trigger_text.no_plan(self.trigger_word)
            return Answer(self.trigger, self.requester, self.thread, reply, summary=reply)
        # Used once: marked before the work starts, so a second go finds nothing.
        forge.edit_comment(self.thread, found.id, plans.marked_used(found.body))
        prompt = plans.go_prompt(plans.plan_in(found.body), self.prompt)
        return PlanGo(prompt, self)


@dataclass(frozen=True)
class PlanGo(Complete):
    """A go request with its plan found: a change request like a comment's."""

    prompt: str
    go: GoRequest

    @property
    def trigger(self) -> Trigger:
        return self.go.trigger

    @property
    def requester(self) -> Person:
        return self.go.requester

    @property
    def thread(self) -> Thread:
        return self.go.thread

    @property
    def default_branch(self) -> str | None:
        return self.go.default_branch

    def destination(self, branch_prefix: str) -> Destination:
        return self.go.destination(branch_prefix)

    def context(self) -> str:
        return self.go.context()

    def acknowledge(self, forge: Forge) -> None:
        """Acknowledged as the go request already."""

    def retry_hint(self) -> str:
        return self.go.retry_hint()
