"""Where a follow-up on a pull request goes: pure decisions, table-driven."""

from __future__ import annotations

import pytest

from bot import messages
from bot.follow_up import (
    Redirect,
    Redirected,
    Why,
    guarding_rules,
    note_of,
    redirect_after_lookup,
    redirect_before_lookup,
)
from bot.forge import Pull
from bot.publish import Target


def pull(head: str = "feature", *, open: bool = True, merged: bool = False) -> Pull:
    return Pull(5, "https://github.com/o/r/pull/5", head, "o/r", "main", open=open, merged=merged)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (pull(), None),  # the branch itself must be looked up
        (pull("main"), Redirect(Why.DEFAULT_BRANCH, "main")),
        (pull(open=False), Redirect(Why.CLOSED, "main")),
        (pull(open=False, merged=True), Redirect(Why.MERGED, "main")),
        # Closed wins over the default branch: its head may be anything, even gone.
        (pull("release", open=False), Redirect(Why.CLOSED, "main")),
        (pull("main", open=False, merged=True), Redirect(Why.MERGED, "main")),
    ],
)
def test_what_the_pull_request_itself_tells(given: Pull, expected: Redirect | None) -> None:
    assert redirect_before_lookup(given, "main") == expected


def test_a_head_named_like_the_default_branch_elsewhere_is_no_default_branch() -> None:
    assert redirect_before_lookup(pull("main"), "trunk") is None
    assert redirect_before_lookup(pull("trunk"), "trunk") == Redirect(Why.DEFAULT_BRANCH, "trunk")


@pytest.mark.parametrize(
    ("protected", "rules", "expected"),
    [
        (False, [], None),
        (True, [], Redirect(Why.PROTECTED, "feature")),
        (True, ["pull_request"], Redirect(Why.PROTECTED, "feature")),
        (False, ["non_fast_forward", "deletion", "creation"], None),
        (False, ["required_linear_history", "commit_message_pattern"], None),
        (False, ["update"], Redirect(Why.RULES, "feature", ("update",))),
        (
            False,
            ["required_status_checks", "non_fast_forward", "pull_request"],
            Redirect(Why.RULES, "feature", ("pull_request", "required_status_checks")),
        ),
    ],
)
def test_protection_and_rules_of_the_branch(
    protected: bool, rules: list[str], expected: Redirect | None
) -> None:
    assert redirect_after_lookup(pull(), protected=protected, rules=rules) == expected


@pytest.mark.parametrize(
    ("rule", "guards"),
    [
        # Changes must wait for a review, a check, a deployment or an allowed actor.
        ("update", True),
        ("pull_request", True),
        ("required_status_checks", True),
        ("required_signatures", True),
        ("required_deployments", True),
        ("merge_queue", True),
        ("workflows", True),
        ("code_scanning", True),
        # A type the bot does not know yet guards: deny by default.
        ("some_rule_github_adds_later", True),
        # A fast-forward push of an ordinary commit passes these or is refused outright.
        ("non_fast_forward", False),
        ("deletion", False),
        ("creation", False),
        ("required_linear_history", False),
        ("commit_message_pattern", False),
        ("commit_author_email_pattern", False),
        ("committer_email_pattern", False),
        ("branch_name_pattern", False),
        ("tag_name_pattern", False),
        ("file_path_restriction", False),
        ("file_extension_restriction", False),
        ("max_file_path_length", False),
        ("max_file_size", False),
        ("copilot_code_review", False),
    ],
)
def test_which_rules_guard_a_branch(rule: str, guards: bool) -> None:
    assert guarding_rules([rule]) == ((rule,) if guards else ())


@pytest.mark.parametrize(
    ("why", "expected"),
    [
        (Why.MERGED, "Pull request #5 is merged, so I left its branch alone and started "
         "from `main`: the change is in a separate pull request into `main`."),
        (Why.CLOSED, "Pull request #5 is closed, so I left its branch alone and started "
         "from `main`: the change is in a separate pull request into `main`."),
        (Why.DEFAULT_BRANCH, "Pull request #5 comes from `main`, the default branch, which I "
         "never push to directly: the change is in a separate pull request into `main`."),
        (Why.PROTECTED, "Pull request #5 comes from `main`, a protected branch, which I never "
         "push to directly: the change is in a separate pull request into `main`."),
        (Why.RULES, "Pull request #5 comes from `main`, which repository rules guard (update), "
         "so I did not push to it: the change is in a separate pull request into `main`."),
    ],
)  # fmt: skip
def test_each_reason_has_its_sentence(why: Why, expected: str) -> None:
    note = messages.redirect_note(5, why.value, head="main", base="main", rules=("update",))
    assert note == expected


def test_the_note_travels_only_with_a_redirected_target() -> None:
    plain = Target("feature", "main", "", True, 5, True)
    redirected = Redirected("codex/pr-5", "main", "", False, note="Why.")
    assert (note_of(plain), note_of(redirected)) == ("", "Why.")
    assert messages.branch_for_pull("codex/", 5) == "codex/pr-5"
