"""`/codex` on a pull request, end to end: it pushes only to an open pull request's own branch.

Started like the Actions runner starts the container, against the GitHub fake (which
serves branch protection and repository rules per branch) and a real git remote.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.action_rig import Run, Runner, remote_heads
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event
from tests.rig.git_remote import GitRemote, git
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell

PULL_REQUEST_RULES: dict[str, Any] = {
    "type": "pull_request",
    "parameters": {
        "dismiss_stale_reviews_on_push": False,
        "require_code_owner_review": False,
        "require_last_push_approval": False,
        "required_approving_review_count": 1,
        "required_review_thread_resolution": False,
    },
}


def follow_up(runner: Runner, github: GitHubFake, number: int, text: str = "hello") -> Run:
    """A maintainer's `/codex` comment on pull request ``number``; Codex writes hello.txt."""
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add("codex", Shell(f"printf '{text}\\n' > hello.txt"), Say("Wrote hello.txt."))
    request = "/codex add a greeting file"
    comment = github.add_comment(number, request, "Codertocat")
    event = comment_event(request, issue_number=number, comment_id=comment, on_pull_request=True)
    return runner.run("issue_comment", event)


def calls(github: GitHubFake) -> list[str]:
    return [f"{r.method} {r.operation}" for r in github.requests]


def reply(github: GitHubFake, number: int) -> str:
    return github.comments(number)[-1].body


def test_pull_request_from_its_own_branch_gets_the_push(
    runner: Runner, github: GitHubFake, remote: GitRemote
) -> None:
    git("branch", "feature", "main", cwd=remote.bare)
    number = github.add_pull("feature", "main", "A feature", "Work in progress", "Codertocat")
    main = remote.branch_sha("main")

    run = follow_up(runner, github, number)

    assert run.returncode == 0, run.stderr
    assert (run.outputs["conclusion"], run.outputs["branch"]) == ("pushed", "feature")
    assert remote.show("feature", "hello.txt") == "hello\n"
    assert remote.branch_sha("main") == main
    assert len(github.pulls) == 1
    assert reply(github, number).startswith(f"Pushed [{str(remote.branch_sha('feature'))[:7]}](")
    # The branch's protection and its rules are the two requests a follow-up adds; the
    # signed commit's tree, commit and branch move replace git's push.
    assert calls(github) == [
        "GET repos/get-collaborator-permission-level",
        "POST reactions/create-for-issue-comment",
        "POST issues/create-comment",
        "GET pulls/get",
        "GET repos/get-branch",
        "GET repos/get-branch-rules",
        "POST git/create-tree",
        "POST git/create-commit",
        "PATCH git/update-ref",
        "PATCH issues/update-comment",
    ]
    assert remote.branch_sha("feature") in remote.objects.signed


def test_pull_request_from_the_default_branch_gets_a_new_pull_request(
    runner: Runner, github: GitHubFake, remote: GitRemote
) -> None:
    git("branch", "release", "main", cwd=remote.bare)
    number = github.add_pull("main", "release", "Ship main", "Release it", "Codertocat")
    main = remote.branch_sha("main")

    run = follow_up(runner, github, number)

    assert run.returncode == 0, run.stderr
    assert remote.branch_sha("main") == main  # main untouched
    new = github.pulls[-1]
    assert (new.head, new.base) == (f"codex/pr-{number}", "main")
    assert run.outputs["conclusion"] == "pr_opened"
    assert run.outputs["branch"] == f"codex/pr-{number}"
    assert remote.show(f"codex/pr-{number}", "hello.txt") == "hello\n"
    assert remote.commits_between("main", f"codex/pr-{number}") == 1
    text = reply(github, number)
    assert text.startswith(f"Opened {github.server_url}/octo-org/hello-world/pull/{new.number}")
    assert (
        f"Pull request #{number} comes from `main`, the default branch, which I never push to "
        "directly: the change is in a separate pull request into `main`."
    ) in text
    # The default branch is known from the event: no lookup of its protection or rules.
    assert "GET repos/get-branch" not in calls(github)
    assert "GET repos/get-branch-rules" not in calls(github)


def test_protected_branch_gets_a_new_pull_request_into_it(
    runner: Runner, github: GitHubFake, remote: GitRemote
) -> None:
    git("branch", "release", "main", cwd=remote.bare)
    github.protect_branch("release")
    number = github.add_pull("release", "main", "Backport", None, "Codertocat")
    release = remote.branch_sha("release")

    run = follow_up(runner, github, number)

    assert run.returncode == 0, run.stderr
    assert remote.branch_sha("release") == release
    new = github.pulls[-1]
    assert (new.head, new.base) == (f"codex/pr-{number}", "release")
    assert remote.commits_between("release", f"codex/pr-{number}") == 1
    assert "`release`, a protected branch" in reply(github, number)
    # Protected already: its rules need no look.
    assert "GET repos/get-branch-rules" not in calls(github)


@pytest.mark.parametrize(
    ("rule", "redirected"),
    [
        (PULL_REQUEST_RULES, True),
        ({"type": "update", "parameters": {"update_allows_fetch_and_merge": False}}, True),
        ({"type": "non_fast_forward"}, False),  # a follow-up's push is a fast-forward
    ],
    ids=["pull_request", "update", "non_fast_forward"],
)
def test_repository_rules_on_the_branch_decide(
    runner: Runner,
    github: GitHubFake,
    remote: GitRemote,
    rule: dict[str, Any],
    redirected: bool,
) -> None:
    git("branch", "feature", "main", cwd=remote.bare)
    github.set_branch_rules("feature", rule)
    number = github.add_pull("feature", "main", "A feature", None, "Codertocat")
    feature = remote.branch_sha("feature")

    run = follow_up(runner, github, number)

    assert run.returncode == 0, run.stderr
    if redirected:
        assert remote.branch_sha("feature") == feature
        assert (github.pulls[-1].head, github.pulls[-1].base) == (f"codex/pr-{number}", "feature")
        assert f"which repository rules guard ({rule['type']})" in reply(github, number)
    else:
        assert run.outputs["conclusion"] == "pushed"
        assert remote.show("feature", "hello.txt") == "hello\n"


def test_rules_hidden_from_the_token_count_as_none(
    runner: Runner, github: GitHubFake, remote: GitRemote
) -> None:
    git("branch", "feature", "main", cwd=remote.bare)
    number = github.add_pull("feature", "main", "A feature", None, "Codertocat")
    github.fail_next(
        "GET", r"/rules/branches/", 403, body={"message": "Resource not accessible by integration"}
    )

    run = follow_up(runner, github, number)

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"


def test_merged_pull_request_gets_a_new_one_from_the_default_branch(
    runner: Runner, github: GitHubFake, remote: GitRemote
) -> None:
    git("branch", "feature", "main", cwd=remote.bare)
    number = github.add_pull("feature", "main", "A feature", None, "Codertocat")
    github.close_pull(number, merged=True)
    git("branch", "-D", "feature", cwd=remote.bare)  # deleted on merge, as GitHub offers

    run = follow_up(runner, github, number)

    assert run.returncode == 0, run.stderr
    assert remote_heads(remote) == [f"codex/pr-{number}", "main"]
    new = github.pulls[-1]
    assert (new.head, new.base, new.state) == (f"codex/pr-{number}", "main", "open")
    assert remote.commits_between("main", f"codex/pr-{number}") == 1
    assert (
        f"Pull request #{number} is merged, so I left its branch alone and started from `main`"
    ) in reply(github, number)
    # A closed pull request needs no look at its branch.
    assert "GET repos/get-branch" not in calls(github)


def test_second_follow_up_on_a_closed_pull_request_continues_the_new_one(
    runner: Runner, github: GitHubFake, remote: GitRemote
) -> None:
    git("branch", "idea", "main", cwd=remote.bare)
    number = github.add_pull("idea", "main", "An idea", None, "Codertocat")
    github.close_pull(number)
    follow_up(runner, github, number)

    run = follow_up(runner, github, number, text="hello again")

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pr_updated"
    assert len(github.pulls) == 2
    assert remote.commits_between("main", f"codex/pr-{number}") == 2
    assert remote.show(f"codex/pr-{number}", "hello.txt") == "hello again\n"
    assert "is closed, so I left its branch alone" in reply(github, number)
    assert remote.show("idea", "README.md") == remote.show("main", "README.md")
    assert remote.branch_sha("idea") == remote.branch_sha("main")  # the closed branch stays
