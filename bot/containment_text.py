"""What the bot says about containment: which protections a run has, and why a change
was not taken. Pure; the companion of ``messages`` for these sentences."""

from __future__ import annotations


def environment_failure(errors: tuple[str, ...]) -> str:
    shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
    return (
        "Codex reported its work done, but the machine stopped its commands, so nothing "
        f"changed: {shown}. Check that the workspace can be written and that Codex's "
        "sandbox can start on this runner (see the run's log)."
    )


def uncommitted_work(paths: tuple[str, ...]) -> str:
    shown = ", ".join(paths[:10]) + (f" and {len(paths) - 10} more" if len(paths) > 10 else "")
    return (
        f"The clone has uncommitted work ({shown}); the bot's commit would carry it along "
        "with the agent's change. Commit or stash it first, or pass --include-uncommitted "
        "to make it part of the change."
    )


def protections(*, agent_has_own_user: bool) -> str:
    """What containment this run has: it depends on whether the bot is root."""
    if agent_has_own_user:
        return (
            "containment: Codex runs as its own unprivileged user over a workspace handed "
            "to it for the run; it cannot read the bot's processes, files or secrets, and "
            "everything it started is killed when it is done."
        )
    return (
        "containment: the bot is not root, so Codex runs as the same user as the bot. "
        "Applies: secrets kept out of Codex's environment, the model key behind a proxy, "
        "the git directory restored, the change checked before it is pushed, leftover "
        "processes killed. Cannot apply: a separate user for Codex (its commands can "
        "change anything this user can, and, without Codex's sandbox, read this user's "
        "processes)."
    )
