"""The ``issues`` ``labeled`` trigger end to end: a writer labels an issue, a reader cannot."""

from __future__ import annotations

from tests.action_rig import Runner, remote_heads
from tests.agent_scripts import delegate, finish
from tests.payloads import label_event
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell

TITLE = "Greet visitors"
BODY = "The README should greet people: add a hello.txt."


def labelled_issue(github: GitHubFake, label: str = "codex") -> tuple[int, dict[str, object]]:
    number = github.add_issue(TITLE, BODY, "octocat")
    github.add_label(number, label)
    event = label_event(label)
    event["issue"].update(number=number, title=TITLE, body=BODY)
    return number, event


def test_a_writer_labels_an_issue_and_gets_a_pull_request(
    runner: Runner, github: GitHubFake
) -> None:
    number, event = labelled_issue(github)
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add("codex", Shell("printf 'hello\\n' > hello.txt"), Say("Created hello.txt."))

    run = runner.run("issues", event)

    assert run.returncode == 0, run.stderr
    [pull] = github.pulls
    assert (pull.head, pull.base) == (f"codex/issue-{number}", "main")
    assert pull.body is not None
    assert f"Closes #{number}" in pull.body
    assert runner.remote.show(f"codex/issue-{number}", "hello.txt") == "hello\n"
    assert [r.content for r in github.issue_reactions(number)] == ["eyes"]
    [issue] = [i for i in github.issues if i.number == number]
    assert issue.labels == []  # taken off when the run started: adding it again asks again
    [status] = github.comments(number)
    assert status.body.startswith(f"Opened {github.server_url}/octo-org/hello-world/pull/")
    assert run.outputs["conclusion"] == "pr_opened"
    # The issue's title and body are the request, from the person who labelled it.
    orchestrator_input = str(runner.model.requests[0].body["input"])
    assert TITLE in orchestrator_input
    assert "add a hello.txt" in orchestrator_input
    assert "@Codertocat" in run.summary
    # The labeller's permission is asked once; the label comes off through its own call.
    operations = [f"{r.method} {r.operation}" for r in github.requests]
    assert operations.count("GET repos/get-collaborator-permission-level") == 1
    assert "DELETE issues/remove-label" in operations
    assert "POST reactions/create-for-issue" in operations


def test_a_reader_who_labels_is_refused_like_a_reader_who_comments(
    runner: Runner, github: GitHubFake
) -> None:
    github.set_permission("Codertocat", "read")
    number, event = labelled_issue(github)

    run = runner.run("issues", event)

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "unauthorized"
    [reply] = github.comments(number)
    assert reply.body.startswith("Sorry")
    assert "write access" in reply.body
    assert runner.model.requests == []
    assert remote_heads(runner.remote) == ["main"]
    assert github.issue_reactions(number) == []


def test_another_label_does_nothing(runner: Runner, github: GitHubFake) -> None:
    _, event = labelled_issue(github, "bug")

    run = runner.run("issues", event)

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "skipped"
    assert github.requests == []
    assert "'bug' is not the trigger label" in run.stderr
