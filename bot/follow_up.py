"""Where a follow-up on a pull request goes: its branch, or a new pull request.

A ``/codex`` comment on a pull request pushes to the pull request's branch only when that
is an open pull request's own branch: not the default branch, not guarded by branch
protection or repository rules. Otherwise the change becomes a new pull request, so
nothing lands on a guarded branch without the review that guards it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from bot import messages
from bot.forge import Forge, HttpCredentials, Pull
from bot.gitrepo import Repository
from bot.publish import Target

# Rule types that do not make changes to a branch wait for a review, a check or an
# allowed actor: a fast-forward push of an ordinary commit passes them or is refused for
# its content, never let through unreviewed. Every other type, including any GitHub adds
# later, counts as guarding the branch.
# https://docs.github.com/rest/repos/rules#get-rules-for-a-branch
_HARMLESS_RULES = frozenset(
    {
        "creation",  # the branch exists already
        "deletion",
        "non_fast_forward",  # a follow-up is pushed fast-forward, after a rebase if need be
        "required_linear_history",
        "commit_message_pattern",
        "commit_author_email_pattern",
        "committer_email_pattern",
        "branch_name_pattern",
        "tag_name_pattern",
        "file_path_restriction",
        "file_extension_restriction",
        "max_file_path_length",
        "max_file_size",
        "copilot_code_review",  # asks Copilot to review new pull requests, nothing more
    }
)


class Why(enum.Enum):
    """Why a follow-up does not push to its pull request's branch."""

    MERGED = "merged"
    CLOSED = "closed"
    DEFAULT_BRANCH = "default_branch"
    PROTECTED = "protected"
    RULES = "rules"


@dataclass(frozen=True)
class Redirect:
    """A new pull request into ``base``, started from its tip."""

    why: Why
    base: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Redirected(Target):
    """A follow-up's change that goes to a new pull request, and the sentence that says why."""

    note: str = ""


def note_of(target: Target) -> str:
    """What the reply says about where the change went; empty when it went where asked."""
    return target.note if isinstance(target, Redirected) else ""


def guarding_rules(types: Iterable[str]) -> tuple[str, ...]:
    """The rule types among ``types`` that guard a branch against a direct push."""
    return tuple(sorted({t for t in types if t not in _HARMLESS_RULES}))


def redirect_before_lookup(pull: Pull, default_branch: str) -> Redirect | None:
    """What the pull request itself tells; None when its branch must be looked up."""
    if not pull.open:
        # Its branch may be gone, and what it held is merged or was turned down.
        why = Why.MERGED if pull.merged else Why.CLOSED
        return Redirect(why, default_branch)
    if pull.head_branch == default_branch:
        return Redirect(Why.DEFAULT_BRANCH, pull.head_branch)
    return None


def redirect_after_lookup(
    pull: Pull, *, protected: bool, rules: Iterable[str] = ()
) -> Redirect | None:
    """Where the change goes once the branch's protection and rules are known."""
    if protected:
        return Redirect(Why.PROTECTED, pull.head_branch)
    guarding = guarding_rules(rules)
    if guarding:
        return Redirect(Why.RULES, pull.head_branch, guarding)
    return None


def _redirect(forge: Forge, pull: Pull, default_branch: str) -> Redirect | None:
    """The cheap answers first: a closed pull request or the default branch need no lookup,
    and a protected branch needs no look at its rules."""
    redirect = redirect_before_lookup(pull, default_branch)
    if redirect is not None:
        return redirect
    if forge.branch_protected(pull.head_branch):
        return redirect_after_lookup(pull, protected=True)
    return redirect_after_lookup(pull, protected=False, rules=forge.branch_rules(pull.head_branch))


def follow_up_target(
    forge: Forge,
    repo: Repository,
    auth: HttpCredentials,
    pull: Pull,
    *,
    default_branch: str | None,
    branch_prefix: str,
    extra: str = "",
) -> Target:
    """The follow-up's target; the working tree is left on the commit to build on.

    The agent's context is the pull request as it stands, then ``extra`` (where in the
    diff a review thread's request was written)."""
    context = f"Pull request #{pull.number}: {pull.title}\n\n{pull.body}"
    if extra:
        context += f"\n\n{extra}"
    if thread := messages.thread_from(pull.body):
        context += f"\n\nEarlier Codex thread of this pull request: {thread}"
    redirect = _redirect(forge, pull, default_branch or forge.default_branch())
    if redirect is None:
        repo.fetch_branch(pull.head_branch, auth)
        return Target(pull.head_branch, pull.base_branch, context, True, pull.number, True)
    branch = messages.branch_for_pull(branch_prefix, pull.number)
    note = messages.redirect_note(
        pull.number, redirect.why.value, head=pull.head_branch, base=redirect.base,
        rules=redirect.rules,
    )  # fmt: skip
    # An earlier follow-up's pull request that is still open goes on, as for an issue.
    open_pull = forge.find_open_pull(branch)
    if open_pull is not None:
        repo.fetch_branch(branch, auth)
        return Redirected(branch, open_pull.base_branch, context, True, open_pull.number, note=note)
    repo.fetch_branch(redirect.base, auth)
    return Redirected(branch, redirect.base, context, False, note=note)
