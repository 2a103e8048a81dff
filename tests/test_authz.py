"""Who may ask the bot for a change."""

from __future__ import annotations

import pytest

from bot.authz import authorize_commenter
from bot.events import Person
from bot.forge import Access

alice = Person("alice", 1)
robot = Person("renovate[bot]", 2, is_bot=True)


@pytest.mark.parametrize("access", [Access.ADMIN, Access.WRITE])
def test_writers_may_ask(access: Access) -> None:
    assert authorize_commenter(alice, access=access, allowed_users=()).allowed


@pytest.mark.parametrize("access", [Access.READ, Access.NONE, None])
def test_others_are_refused_with_a_reason_and_a_reply(access: Access | None) -> None:
    decision = authorize_commenter(alice, access=access, allowed_users=())
    assert not decision.allowed
    assert decision.reply
    assert "write access" in decision.reason
    assert "@alice" in decision.reason


def test_allow_list_admits_readers_and_bots() -> None:
    assert authorize_commenter(alice, access=Access.READ, allowed_users=("alice",)).allowed
    assert authorize_commenter(robot, access=None, allowed_users=("renovate[bot]",)).allowed


def test_bots_are_refused_silently_even_with_write_access() -> None:
    decision = authorize_commenter(robot, access=Access.WRITE, allowed_users=())
    assert not decision.allowed
    assert not decision.reply
    assert "allowed_users" in decision.reason
