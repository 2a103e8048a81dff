"""A reserved word after the trigger is a command: where it does not apply, the reply says
so, and no change is made."""

from __future__ import annotations

from tests.action_rig import Runner, remote_heads
from tests.payloads import comment_event
from tests.rig.github_fake import GitHubFake


def test_a_command_asked_where_it_does_not_apply_is_answered_not_run(
    runner: Runner, github: GitHubFake
) -> None:
    number = github.add_issue("Docs", "The docs need a look.", "Codertocat")
    comment = github.add_comment(number, "/codex fix-ci please", "Codertocat")

    run = runner.run(
        "issue_comment",
        comment_event("/codex fix-ci please", issue_number=number, comment_id=comment),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "skipped"
    reply = github.comments(number)[-1].body
    assert "`/codex fix-ci` works in a pull request" in reply
    assert runner.model.requests == []
    assert remote_heads(runner.remote) == ["main"]


def test_a_reader_cannot_reach_a_subcommand_either(runner: Runner, github: GitHubFake) -> None:
    github.set_permission("Codertocat", "read")
    number = github.add_issue("Docs", "The docs need a look.", "Codertocat")
    comment = github.add_comment(number, "/codex plan", "Codertocat")

    run = runner.run(
        "issue_comment", comment_event("/codex plan", issue_number=number, comment_id=comment)
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "unauthorized"
    assert github.comments(number)[-1].body.startswith("Sorry")
