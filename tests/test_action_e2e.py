"""`python -m bot` end to end, started like the Actions runner starts the container.

Real git, Codex, MCP and Agents SDK; GitHub is a fake that validates every request and
response against GitHub's OpenAPI description; the model is scripted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.action_rig import TOKEN, Runner, remote_heads
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event, dispatch_event, schedule_event
from tests.rig.git_remote import GitRemote, git
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Fail, Say, ScriptedModel, Shell


def issue_with_comment(github: GitHubFake, body: str, login: str = "Codertocat") -> tuple[int, int]:
    number = github.add_issue("Greet visitors", "The README should greet people.", "Codertocat")
    return number, github.add_comment(number, body, login)


def script_greeting(model: ScriptedModel) -> None:
    model.add("orchestrator", delegate(), finish())
    model.add("codex", Shell("printf 'hello\\n' > hello.txt"), Say("Created hello.txt."))


def test_comment_on_issue_opens_a_pull_request(runner: Runner, github: GitHubFake) -> None:
    number, comment = issue_with_comment(github, "/codex add a greeting file")
    script_greeting(runner.model)

    event = comment_event("/codex add a greeting file", issue_number=number, comment_id=comment)
    event["issue"]["body"] = "The README should greet people."

    run = runner.run("issue_comment", event)

    assert run.returncode == 0, run.stderr
    [pull] = github.pulls
    assert (pull.head, pull.base) == (f"codex/issue-{number}", "main")
    assert pull.head is not None
    assert pull.title == "Add a friendly greeting file"
    assert pull.body is not None
    assert f"Closes #{number}" in pull.body
    assert "> add a greeting file" in pull.body
    assert runner.run_url in pull.body
    assert runner.remote.show(pull.head, "hello.txt") == "hello\n"
    message = runner.remote.log(pull.head)
    assert "Co-authored-by: Codertocat <21031067+Codertocat@users.noreply.github.com>" in message
    assert f"Workflow-run: {runner.run_url}" in message  # which run made it
    assert "Signed-off-by" not in message  # only with signoff: true
    # Made by GitHub through its Git Data API, which signs it; git pushed nothing.
    assert runner.remote.branch_sha(pull.head) in runner.remote.objects.signed
    assert "made and signed by GitHub (Verified)" in run.summary
    assert [r.content for r in github.reactions(comment)] == ["eyes"]
    reply = github.comments(number)[-1]
    assert reply.body.startswith(
        f"Opened {github.server_url}/octo-org/hello-world/pull/{pull.number}"
    )
    assert runner.run_url in reply.body
    # What it cost: the orchestrator's and Codex's tokens, and the time taken.
    # The scripted model reports a quarter of each input's length as its tokens.
    sent = {"orchestrator": 0, "codex": 0}
    for request in runner.model.requests:
        sent[request.role] += len(json.dumps(request.body["input"])) // 4 + 1
    assert sent["codex"] > sent["orchestrator"] > 0
    assert int(run.outputs.pop("tokens")) >= sent["codex"] + sent["orchestrator"]
    assert run.outputs.pop("files_changed") == "1"
    # Codex's default model has no built-in price: the cost is unknown, and says why.
    assert run.outputs.pop("cost_usd") == ""
    assert "not priced" in run.summary
    assert float(run.outputs.pop("duration_seconds")) > 0
    assert run.outputs == {
        "conclusion": "pr_opened",
        "pr_url": f"{github.server_url}/octo-org/hello-world/pull/{pull.number}",
        "pr_number": str(pull.number),
        "branch": f"codex/issue-{number}",
        "summary": "Added hello.txt with a greeting.",
        "review_url": "",
        "review_comments": "",
        "signed": "true",
    }
    assert "`pr_opened`" in run.summary
    assert "@Codertocat" in run.summary
    assert "`hello.txt`" in run.summary
    # The issue is context for the agent, the comment is the request.
    orchestrator_input = str(runner.model.requests[0].body["input"])
    assert "The README should greet people." in orchestrator_input
    # The token is printed once, in the runner's ::add-mask:: command, before anything else.
    assert run.stdout.startswith(f"::add-mask::{TOKEN}\n")
    assert TOKEN not in run.stdout.split("\n", 1)[1] + run.stderr


def test_comment_on_pull_request_pushes_to_its_branch(
    runner: Runner, github: GitHubFake, remote: GitRemote
) -> None:
    git("branch", "feature", "main", cwd=remote.bare)
    number = github.add_pull("feature", "main", "A feature", "Work in progress", "Codertocat")
    comment = github.add_comment(number, "/codex add a greeting file", "Codertocat")
    script_greeting(runner.model)

    run = runner.run(
        "issue_comment",
        comment_event(
            "/codex add a greeting file",
            issue_number=number,
            comment_id=comment,
            on_pull_request=True,
        ),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"
    assert run.outputs["branch"] == "feature"
    assert len(github.pulls) == 1
    assert remote.show("feature", "hello.txt") == "hello\n"
    assert remote.commits_between("main", "feature") == 1
    sha = remote.branch_sha("feature")
    assert sha is not None
    link = f"[{sha[:7]}]({github.server_url}/octo-org/hello-world/commit/{sha})"
    assert github.comments(number)[-1].body.startswith(f"Pushed {link} to `feature`")


def test_comment_on_fork_pull_request_is_refused_without_running_the_agent(
    runner: Runner, github: GitHubFake
) -> None:
    number = github.add_pull(
        "feature",
        "main",
        "From a fork",
        None,
        "stranger",
        head_repo_full_name="stranger/hello-world",
    )
    comment = github.add_comment(number, "/codex do it", "Codertocat")

    run = runner.run(
        "issue_comment",
        comment_event(
            "/codex do it", issue_number=number, comment_id=comment, on_pull_request=True
        ),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "unauthorized"
    assert "fork" in github.comments(number)[-1].body
    assert runner.model.requests == []


def test_manual_run_opens_a_pull_request(runner: Runner, github: GitHubFake) -> None:
    script_greeting(runner.model)

    run = runner.run("workflow_dispatch", dispatch_event("add a greeting file"))

    assert run.returncode == 0, run.stderr
    [pull] = github.pulls
    assert pull.head is not None
    assert pull.head.startswith("codex/manual-add-a-greeting-file-")
    assert run.outputs["conclusion"] == "pr_opened"
    assert "Closes" not in (pull.body or "")


def test_scheduled_run_twice_keeps_one_pull_request(runner: Runner, github: GitHubFake) -> None:
    runner.inputs["INPUT_PROMPT"] = "refresh the greeting"
    script_greeting(runner.model)
    first = runner.run("schedule", schedule_event())
    runner.model.add("orchestrator", delegate(), finish(title="Refresh the greeting again"))
    runner.model.add("codex", Shell("printf 'hello again\\n' > hello.txt"), Say("Updated."))

    second = runner.run("schedule", schedule_event())

    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert first.outputs["conclusion"] == "pr_opened"
    assert second.outputs["conclusion"] == "pr_updated"
    [pull] = github.pulls
    assert pull.title == "Refresh the greeting again"
    assert second.outputs["pr_number"] == first.outputs["pr_number"] == str(pull.number)
    assert pull.head is not None
    assert runner.remote.show(pull.head, "hello.txt") == "hello again\n"


def test_commenter_without_write_access_is_refused_politely(
    runner: Runner, github: GitHubFake
) -> None:
    github.set_permission("Codertocat", "read")
    number, comment = issue_with_comment(github, "/codex delete everything")

    run = runner.run(
        "issue_comment",
        comment_event("/codex delete everything", issue_number=number, comment_id=comment),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "unauthorized"
    [reply] = github.comments(number)[1:]
    assert reply.body.startswith("Sorry")
    assert "write access" in reply.body
    assert runner.model.requests == []
    assert remote_heads(runner.remote) == ["main"]


def test_bot_commenter_is_ignored_silently(runner: Runner, github: GitHubFake) -> None:
    number, comment = issue_with_comment(github, "/codex bump deps", login="renovate[bot]")

    run = runner.run(
        "issue_comment",
        comment_event(
            "/codex bump deps",
            login="renovate[bot]",
            user_type="Bot",
            issue_number=number,
            comment_id=comment,
        ),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "unauthorized"
    assert len(github.comments(number)) == 1
    assert runner.model.requests == []


def test_comment_without_trigger_does_nothing(runner: Runner, github: GitHubFake) -> None:
    run = runner.run("issue_comment", comment_event("Looks good to me"))

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "skipped"
    assert github.requests == []
    assert "does not start a line with /codex" in run.stderr


def test_empty_trigger_gets_usage_reply(runner: Runner, github: GitHubFake) -> None:
    number, comment = issue_with_comment(github, "/codex")

    run = runner.run(
        "issue_comment", comment_event("/codex", issue_number=number, comment_id=comment)
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "skipped"
    assert "Tell me what to change" in github.comments(number)[-1].body
    assert runner.model.requests == []


def test_no_changes_says_so(runner: Runner, github: GitHubFake) -> None:
    number, comment = issue_with_comment(github, "/codex check the readme")
    runner.model.add("orchestrator", delegate(), finish(summary="The README is fine as it is."))
    runner.model.add("codex", Shell("cat README.md"), Say("Nothing to change."))

    run = runner.run(
        "issue_comment",
        comment_event("/codex check the readme", issue_number=number, comment_id=comment),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "no_changes"
    assert github.pulls == []
    reply = github.comments(number)[-1].body
    assert "made no changes" in reply
    assert "The README is fine as it is." in reply
    assert remote_heads(runner.remote) == ["main"]


def test_failure_is_reported_on_the_issue_and_nothing_is_pushed(
    runner: Runner, github: GitHubFake
) -> None:
    number, comment = issue_with_comment(github, "/codex add a file")
    runner.model.add("orchestrator", Fail(401, "Incorrect API key provided"))

    run = runner.run(
        "issue_comment", comment_event("/codex add a file", issue_number=number, comment_id=comment)
    )

    assert run.returncode == 1
    assert run.outputs["conclusion"] == "failed"
    reply = github.comments(number)[-1].body
    assert "Incorrect API key provided" in reply
    assert "openai_api_key" in reply
    assert runner.run_url in reply
    assert "::error" in run.stdout
    assert remote_heads(runner.remote) == ["main"]
    assert github.pulls == []


def test_missing_pull_request_permission_is_explained(runner: Runner, github: GitHubFake) -> None:
    number, comment = issue_with_comment(github, "/codex add a greeting file")
    script_greeting(runner.model)
    github.fail_next(
        "POST",
        r"/pulls$",
        403,
        body={"message": "Resource not accessible by integration", "status": "403"},
    )

    run = runner.run(
        "issue_comment",
        comment_event("/codex add a greeting file", issue_number=number, comment_id=comment),
    )

    assert run.returncode == 1
    reply = github.comments(number)[-1].body
    assert "Resource not accessible by integration" in reply
    assert "pull-requests: write" in reply
    assert "Nothing was pushed" in reply
    assert remote_heads(runner.remote) == ["main"]  # the branch went with the failure


@pytest.mark.parametrize("event", ["{not json", "[1, 2]"])
def test_malformed_event_file_fails_cleanly_and_writes_nothing(
    runner: Runner, github: GitHubFake, event: str
) -> None:
    run = runner.run("issue_comment", event)

    assert run.returncode == 2
    assert "event file" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.outputs == {}
    assert run.summary == ""
    assert github.requests == []


def test_bad_setting_fails_cleanly_and_writes_nothing(runner: Runner, github: GitHubFake) -> None:
    runner.inputs["INPUT_SANDBOX"] = "none-please"

    run = runner.run("issue_comment", comment_event("/codex x"))

    assert run.returncode == 2
    assert "Input 'sandbox'" in run.stderr
    assert run.outputs == {}
    assert github.requests == []


def test_read_only_is_refused_where_its_sandbox_cannot_start(
    runner: Runner, github: GitHubFake
) -> None:
    # What the container's entrypoint says when bubblewrap cannot create namespaces.
    runner.inputs["INPUT_SANDBOX"] = "read-only"
    runner.inputs["CODEX_PR_BOT_SANDBOX_UNAVAILABLE"] = (
        "bwrap: No permissions to create a new namespace."
    )
    number, comment = issue_with_comment(github, "/codex explain the code")

    run = runner.run(
        "issue_comment",
        comment_event("/codex explain the code", issue_number=number, comment_id=comment),
    )

    assert run.returncode == 1
    reply = github.comments(number)[-1].body
    assert "read-only sandbox cannot start here" in reply
    assert "workspace-write" in reply
    assert runner.model.requests == []


def test_base_input_is_where_the_change_starts_and_lands(
    runner: Runner, github: GitHubFake, remote: GitRemote, tmp_path: Path
) -> None:
    other = remote.clone(tmp_path / "other")
    git("switch", "-q", "-c", "develop", cwd=other)
    (other / "develop.txt").write_text("only on develop\n")
    git("add", "-A", cwd=other)
    git("-c", "user.name=m", "-c", "user.email=m@x", "commit", "-qm", "develop", cwd=other)
    git("push", "-q", str(remote.bare), "develop", cwd=other)
    runner.inputs["INPUT_BASE"] = "develop"
    number, comment = issue_with_comment(github, "/codex add a greeting file")
    script_greeting(runner.model)

    run = runner.run(
        "issue_comment",
        comment_event("/codex add a greeting file", issue_number=number, comment_id=comment),
    )

    assert run.returncode == 0, run.stderr
    [pull] = github.pulls
    assert pull.base == "develop"
    assert pull.head is not None
    assert remote.commits_between("develop", pull.head) == 1
    assert remote.show(pull.head, "develop.txt") == "only on develop\n"


def test_second_request_on_the_same_issue_builds_on_the_first(
    runner: Runner, github: GitHubFake, remote: GitRemote
) -> None:
    number, comment = issue_with_comment(github, "/codex add a greeting file")
    script_greeting(runner.model)
    runner.run(
        "issue_comment",
        comment_event("/codex add a greeting file", issue_number=number, comment_id=comment),
    )
    second = github.add_comment(number, "/codex and a farewell", "Codertocat")
    runner.model.add("orchestrator", delegate(), finish(title="Greet and say goodbye"))
    runner.model.add("codex", Shell("echo bye > bye.txt"), Say("Added bye.txt."))

    run = runner.run(
        "issue_comment",
        comment_event("/codex and a farewell", issue_number=number, comment_id=second),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pr_updated"
    [pull] = github.pulls
    assert pull.head is not None
    assert remote.commits_between("main", pull.head) == 2
    assert remote.show(pull.head, "hello.txt") == "hello\n"  # the first request's work stays
    assert remote.show(pull.head, "bye.txt") == "bye\n"
