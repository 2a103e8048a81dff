"""How a checked commit reaches its branch: made again by the forge, which signs it, or
pushed with git — and what to do when the branch moved meanwhile."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot import messages, signed_push
from bot.errors import BranchMoved, GitHubError
from bot.forge import Forge, HttpCredentials
from bot.gitrepo import Repository

log = logging.getLogger("bot")

# The repository rule that refuses unsigned commits (GET /rules/branches/{branch}).
_SIGNED_RULE = "required_signatures"


@dataclass(frozen=True)
class Pushed:
    signed: bool  # made by the forge, which signed it
    unsigned_because: str = ""  # why a signed commit was asked for and not made


@dataclass(frozen=True)
class Channel:
    forge: Forge
    repo: Repository
    auth: HttpCredentials
    sign: bool


def _once(via: Channel, branch: str, *, force: bool) -> Pushed:
    repo = via.repo
    if not via.sign:
        repo.push(branch, via.auth, force=force)
        return Pushed(signed=False)
    try:
        made = signed_push.remake(repo, via.forge.git, repo.head())
        via.forge.git.move_branch(branch, made.sha, force=force)
    except signed_push.NotSignable as exc:
        reason = exc.reason
    except GitHubError as exc:  # BranchMoved is no GitHubError: it goes to the caller
        reason = exc.message
    else:
        signed_push.adopt(repo, branch, made, via.auth)
        return Pushed(signed=True)
    if _SIGNED_RULE in via.forge.branch_rules(branch):
        raise GitHubError(
            f"Nothing was pushed: the branch {branch} requires signed commits, and GitHub "
            f"could not make the commit: {reason}.",
            hint="An unsigned commit would be refused there; see the reason above.",
        )
    log.warning("the commit is pushed with git, unsigned: %s", reason)
    repo.push(branch, via.auth, force=force)
    return Pushed(signed=False, unsigned_because=reason)


def push(via: Channel, branch: str, *, force: bool, check: Callable[[str, str], None]) -> Pushed:
    """Push the new tip of ``branch``. ``force`` replaces the remote branch; otherwise a
    branch that moved meanwhile is rebased once, ``check``ed (from the remote's tip to the
    new one: a rebase writes new blobs) and pushed again."""
    try:
        return _once(via, branch, force=force)
    except BranchMoved:
        if force:
            raise
    start = via.repo.rebase_onto_remote(branch, via.auth, messages.BOT_IDENTITY)
    check(start, via.repo.head())
    return _once(via, branch, force=False)
