"""``/codex`` in a review thread, end to end: real git, Codex, MCP and Agents SDK; the
GitHub fake serves review comments, replies and their reactions."""

from __future__ import annotations

from typing import Any

from tests.action_rig import TOKEN, Runner
from tests.agent_scripts import delegate, finish
from tests.payloads import review_comment_event, review_event
from tests.rig.git_remote import git
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell

HUNK = "@@ -1 +1,2 @@\n print('hi')\n+print('x')"


def feature_pull(runner: Runner, github: GitHubFake, head_repo: str | None = None) -> int:
    """A pull request from `feature`, which adds a line to src/app.py."""
    work = runner.remote.clone(runner.tmp / "author")
    (work / "src/app.py").write_text("print('hi')\nprint('x')\n")
    git("-c", "user.name=o", "-c", "user.email=o@example.com", "commit", "-qam", "x", cwd=work)
    url = runner.remote.url.replace("http://", f"http://x-access-token:{TOKEN}@")
    if head_repo is None:
        git("push", "-q", url, "HEAD:refs/heads/feature", cwd=work)
    number = github.add_pull("feature", "main", "Print x", "Prints x.", "octocat", head_repo)
    if head_repo is not None:  # a fork's branch is not here; its head is
        git("push", "-q", url, f"HEAD:refs/pull/{number}/head", cwd=work)
    return number


def reply(github: GitHubFake, number: int, body: str, *, fork: str | None = None) -> Any:
    root = github.add_review_comment(number, "src/app.py", 2, "Is x right here?", "octocat")
    asked = github.add_review_reply(root, body, "Codertocat")
    (review,) = [c.review_id for c in github.review_comments(number) if c.id == asked]
    event = review_comment_event(
        body, pull_number=number, comment_id=asked, in_reply_to=root, line=2, diff_hunk=HUNK,
        head_repo=fork, review_id=review,
    )  # fmt: skip
    return root, asked, event


def test_a_request_in_a_review_thread_is_pushed_and_answered_in_the_thread(
    runner: Runner, github: GitHubFake
) -> None:
    number = feature_pull(runner, github)
    root, asked, event = reply(github, number, "/codex print y instead of x")
    runner.model.add("orchestrator", delegate("Print y instead of x in src/app.py."), finish(
        summary="Printed y instead of x."))  # fmt: skip
    runner.model.add(
        "codex", Shell("printf \"print('hi')\\nprint('y')\\n\" > src/app.py"), Say("Done.")
    )

    run = runner.run("pull_request_review_comment", event)

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"
    assert runner.remote.show("feature", "src/app.py") == "print('hi')\nprint('y')\n"
    sha = runner.remote.branch_sha("feature")
    assert sha is not None
    thread = [c for c in github.review_comments(number) if root in (c.id, c.in_reply_to_id)]
    answer = thread[-1]
    assert answer.user == "github-actions[bot]"
    link = f"{github.server_url}/octo-org/hello-world/commit/{sha}"
    assert answer.body.startswith(f"Pushed [{sha[:7]}]({link}) to `feature`")
    assert "Printed y instead of x." in answer.body
    assert [r.content for r in github.review_comment_reactions(asked)] == ["eyes"]
    assert github.comments(number) == []  # nothing in the pull request's conversation
    orchestrator = str(runner.model.requests[0].body["input"])
    assert "src/app.py, line(s) 2" in orchestrator
    assert "+print('x')" in orchestrator
    assert "@octocat: Is x right here?" in orchestrator


def test_on_a_forks_pull_request_the_thread_gets_the_reason_and_nothing_is_pushed(
    runner: Runner, github: GitHubFake
) -> None:
    number = feature_pull(runner, github, head_repo="mallory/hello-world")
    root, _, event = reply(github, number, "/codex fix it", fork="mallory/hello-world")
    run = runner.run("pull_request_review_comment", event)

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "unauthorized"
    assert runner.remote.branch_sha("feature") is None
    answer = [c for c in github.review_comments(number) if c.in_reply_to_id == root][-1]
    assert "fork" in answer.body
    assert runner.model.requests == []


def test_a_reader_cannot_ask_in_a_review_thread(runner: Runner, github: GitHubFake) -> None:
    number = feature_pull(runner, github)
    github.set_permission("Codertocat", "read")
    _, _, event = reply(github, number, "/codex fix it")
    run = runner.run("pull_request_review_comment", event)
    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "unauthorized"
    assert runner.model.requests == []


def test_a_review_requesting_changes_gets_one_commit_and_a_reply_in_each_thread(
    runner: Runner, github: GitHubFake
) -> None:
    number = feature_pull(runner, github)
    comments = [
        {"path": "src/app.py", "line": 2, "body": "/codex print y here"},  # also a trigger
        {"path": "src/app.py", "line": 1, "body": "Greet politely."},
    ]
    review = github.add_review(number, "Codertocat", body="/codex", comments=comments)
    runner.model.add("orchestrator", delegate("Address both comments."), finish(
        summary="Both comments addressed."))  # fmt: skip
    runner.model.add(
        "codex", Shell("printf \"print('hello')\\nprint('y')\\n\" > src/app.py"), Say("Done.")
    )

    run = runner.run("pull_request_review", review_event("/codex", pull_number=number,
                                                          review_id=review))  # fmt: skip

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"
    assert runner.remote.show("feature", "src/app.py") == "print('hello')\nprint('y')\n"
    sha = runner.remote.branch_sha("feature")
    assert sha is not None
    orchestrator = str(runner.model.requests[0].body["input"])
    assert "@Codertocat: Greet politely." in orchestrator
    assert "2. On src/app.py, line(s) 1:" in orchestrator
    firsts = [c for c in github.review_comments(number) if c.review_id == review]
    for first in firsts:
        (answer,) = [c for c in github.review_comments(number) if c.in_reply_to_id == first.id]
        assert answer.body.startswith(f"Addressed in [{sha[:7]}](")
    assert github.comments(number)[-1].body.startswith(f"Pushed [{sha[:7]}](")

    # GitHub also sent the review's first comment as a comment event: it is not run again.
    trigger_comment = firsts[0]
    event = review_comment_event(
        trigger_comment.body, pull_number=number, comment_id=trigger_comment.id,
        review_id=review, line=2, diff_hunk=trigger_comment.diff_hunk,
    )  # fmt: skip
    again = runner.run("pull_request_review_comment", event)
    assert again.returncode == 0, again.stderr
    assert again.outputs["conclusion"] == "skipped"
    assert runner.remote.branch_sha("feature") == sha
    told = [c for c in github.review_comments(number) if c.in_reply_to_id == trigger_comment.id]
    assert "handled as a whole" in told[-1].body
