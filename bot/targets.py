"""Where a request's change goes, and the commit the working tree starts it from."""

from __future__ import annotations

from bot import messages
from bot.events import FollowUp, NewBranch, Request
from bot.follow_up import follow_up_target
from bot.forge import Forge
from bot.gitrepo import Repository
from bot.publish import Target
from bot.report import Conclusion, Report


def target_for(
    forge: Forge,
    repo: Repository,
    request: Request,
    destination: NewBranch | FollowUp,
    branch_prefix: str,
    base: str | None,
) -> Target | Report:
    """Where the change goes; the working tree is left on the commit to build on.

    A report instead when it can go nowhere (a fork's pull request).
    """
    auth = forge.git_credentials()
    if isinstance(destination, FollowUp):
        pull = forge.pull(destination.pull_number)
        if pull.head_repo != forge.repository:
            return Report(
                Conclusion.UNAUTHORIZED, messages.fork_reply(pull.number), prompt=request.prompt
            )
        # Its own branch, or a new pull request when that branch is guarded or gone.
        return follow_up_target(
            forge,
            repo,
            auth,
            pull,
            default_branch=request.default_branch,
            branch_prefix=branch_prefix,
            extra=request.context(),
        )
    branch, context = destination.name, request.context()
    # The branch of an earlier request or run whose pull request is still open goes on;
    # any other (merged, closed, abandoned) is started afresh from the base.
    open_pull = forge.find_open_pull(branch)
    if open_pull is not None:
        repo.fetch_branch(branch, auth)
        return Target(branch, open_pull.base_branch, context, True, open_pull.number)
    # Start from the base the pull request will target, whatever was checked out.
    start = base or request.default_branch or forge.default_branch()
    repo.fetch_branch(start, auth)
    return Target(branch, start, context, False)
