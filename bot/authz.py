"""Who may ask: a decision with a reason a maintainer can act on. Pure."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.events import Person

# Permissions that can push; the API says ``write`` for the maintain role.
WRITE_ROLES = frozenset({"admin", "maintain", "write"})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    # Bots are refused silently: answering them invites loops between bots.
    reply: bool = True


def authorize_commenter(
    person: Person,
    *,
    permission: str | None,
    allowed_users: Collection[str],
) -> Decision:
    """Whether ``person`` may start the agent from a comment.

    ``permission`` comes from the collaborator-permission API, which reports the
    maintain role as ``write``; the allow-list adds logins (people or bots).
    """
    if person.login in allowed_users:
        return Decision(True, f"@{person.login} is in allowed_users.")
    if person.is_bot:
        return Decision(
            False,
            f"@{person.login} is a bot; add it to allowed_users to let it ask.",
            reply=False,
        )
    if permission in WRITE_ROLES:
        return Decision(True, f"@{person.login} has {permission} access.")
    level = permission or "no"
    return Decision(
        False,
        f"@{person.login} has {level} access to this repository; only people with write "
        "access (or listed in allowed_users) can ask the bot for changes.",
    )
