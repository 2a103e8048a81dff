"""``/codex plan`` then ``/codex go``, end to end: real git, Codex, MCP and Agents SDK."""

from __future__ import annotations

from tests.action_rig import Runner
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell

PLAN = "1. Create `hello.txt` with a greeting.\n2. Mention it in the README."


def test_a_plan_is_posted_then_carried_out_once(runner: Runner, github: GitHubFake) -> None:
    number = github.add_issue("Greet visitors", "The README should greet people.", "Codertocat")
    asked = github.add_comment(number, "/codex plan greet visitors", "Codertocat")
    runner.model.add(
        "orchestrator",
        delegate("Read the repository and plan how to greet visitors; change nothing."),
        finish(body=PLAN, commit_message="", summary="A plan in two steps."),
    )
    # Codex writes anyway: on the throwaway copy, which nobody publishes.
    runner.model.add("codex", Shell("printf 'draft\\n' > scratch.txt"), Say(PLAN))

    planned = runner.run(
        "issue_comment",
        comment_event("/codex plan greet visitors", issue_number=number, comment_id=asked),
    )

    assert planned.returncode == 0, planned.stderr
    assert planned.outputs["conclusion"] == "planned"
    assert not (runner.workspace / "scratch.txt").exists()
    assert github.pulls == []
    assert runner.remote.branch_sha(f"codex/issue-{number}") is None
    plan_comment = github.comments(number)[-1].body
    assert "1. Create `hello.txt` with a greeting." in plan_comment
    assert "`/codex go`" in plan_comment

    go = github.add_comment(number, "/codex go", "Codertocat")
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add("codex", Shell("printf 'hello\\n' > hello.txt"), Say("Created hello.txt."))
    went = runner.run(
        "issue_comment", comment_event("/codex go", issue_number=number, comment_id=go)
    )

    assert went.returncode == 0, went.stderr
    assert went.outputs["conclusion"] == "pr_opened"
    [pull] = github.pulls
    assert pull.head is not None
    assert runner.remote.show(pull.head, "hello.txt") == "hello\n"
    asked_of_orchestrator = [r for r in runner.model.requests if r.role == "orchestrator"]
    orchestrator_input = str(asked_of_orchestrator[2].body["input"])  # the go run's first
    assert "Carry out this plan" in orchestrator_input
    assert "Create `hello.txt` with a greeting." in orchestrator_input
    assert "plan used" in github.comments(number)[-3].body  # the plan is spent
