"""Who may ask: a decision with a reason a maintainer can act on. Pure."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from bot.events import Person
from bot.forge import Access


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    # Bots are refused silently: answering them invites loops between bots.
    reply: bool = True


def authorize_commenter(
    person: Person,
    *,
    access: Access | None,
    allowed_users: Collection[str],
) -> Decision:
    """Whether ``person`` may start the agent; the allow-list adds logins (people or bots).

    ``access`` is what the forge says the person may do (not asked for bots).
    """
    if person.login in allowed_users:
        return Decision(True, f"@{person.login} is in allowed_users.")
    if person.is_bot:
        return Decision(
            False,
            f"@{person.login} is a bot; add it to allowed_users to let it ask.",
            reply=False,
        )
    if access is not None and access.can_push:
        return Decision(True, f"@{person.login} has {access.value} access.")
    level = (access or Access.NONE).value
    return Decision(
        False,
        f"@{person.login} has {level} access to this repository; only people with write "
        "access (or listed in allowed_users) can ask the bot for changes.",
    )


# A trust rule: who sent the event (if the event says), the permission (fetched only
# when the rule asks, at most once) and the allow-list, to a decision.
PermissionOf = Callable[[Person], Access]
TrustRule = Callable[[Person | None, PermissionOf, Collection[str]], Decision]


def writers(
    person: Person | None, permission_of: PermissionOf, allowed_users: Collection[str]
) -> Decision:
    """The default rule: the sender needs write access, or is in ``allowed_users``."""
    if person is None:
        return Decision(False, "The event names no sender, so no one vouches for it.", reply=False)
    access = None if person.is_bot else permission_of(person)
    return authorize_commenter(person, access=access, allowed_users=allowed_users)


def trusted(
    person: Person | None, permission_of: PermissionOf, allowed_users: Collection[str]
) -> Decision:
    """For events only writers can cause (a manual run, a schedule): said explicitly."""
    return Decision(True, "Only people with write access can start this kind of run.")
