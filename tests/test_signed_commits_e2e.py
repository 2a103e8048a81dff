"""Signed commits end to end: ``python -m bot`` against the GitHub fake, whose Git Data API
writes into the real remote (every request and response checked against GitHub's OpenAPI
description), with the real Codex making the change."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.action_rig import Runner
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event
from tests.rig.git_remote import GitRemote, git
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell

# A binary file, a deletion, a rename that also sets the executable bit, a new
# executable script and a nested folder: what Codex does, and what git does by hand below.
CHANGE = (
    "printf '\\000\\001\\002\\377\\376\\r\\n' > logo.bin && rm README.md && "
    "mv src/app.py src/main.py && chmod +x src/main.py && "
    "printf '#!/bin/sh\\necho run\\n' > run.sh && chmod +x run.sh && "
    "mkdir -p docs/deep && printf 'deep\\n' > docs/deep/a.md"
)


def ask(runner: Runner, github: GitHubFake, codex: str = CHANGE) -> tuple[int, dict[str, object]]:
    number = github.add_issue("Reorganise", "Move things around.", "Codertocat")
    comment = github.add_comment(number, "/codex reorganise", "Codertocat")
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add("codex", Shell(codex), Say("Done."))
    return number, comment_event("/codex reorganise", issue_number=number, comment_id=comment)


def tree_git_makes(remote: GitRemote, tmp_path: Path) -> str:
    work = remote.clone(tmp_path / "by-hand")
    subprocess.run(["sh", "-c", CHANGE], cwd=work, check=True)
    git("add", "-A", cwd=work)
    return git("write-tree", cwd=work).strip()


def git_calls(github: GitHubFake) -> list[str]:
    return [
        f"{r.method} {r.operation}"
        for r in github.requests
        if (r.operation or "").startswith("git/")
    ]


def test_the_commit_is_made_by_github_with_exactly_the_tree_git_makes(
    runner: Runner, github: GitHubFake, tmp_path: Path
) -> None:
    number, event = ask(runner, github)

    run = runner.run("issue_comment", event)

    assert run.returncode == 0, run.stderr
    branch = f"codex/issue-{number}"
    remote = runner.remote
    sha = remote.branch_sha(branch)
    assert sha in remote.objects.signed
    assert git("rev-parse", f"{sha}^{{tree}}", cwd=remote.bare).strip() == tree_git_makes(
        remote, tmp_path
    )
    assert git("log", "-1", "--format=%an|%cn|%P", sha, cwd=remote.bare).strip() == (
        f"codex-pr-bot|GitHub|{remote.branch_sha('main')}"
    )
    # The binary file as one blob; the texts inside the tree; the rename uploads nothing.
    assert git_calls(github) == [
        "POST git/create-blob",
        "POST git/create-tree",
        "POST git/create-commit",
        "POST git/create-ref",
    ]
    assert run.outputs["signed"] == "true"


def test_where_github_cannot_make_it_git_pushes_and_warns(
    runner: Runner, github: GitHubFake
) -> None:
    number, event = ask(runner, github, "printf 'hi\\n' > hello.txt")
    github.fail_next("POST", r"/git/trees$", 404, body={"message": "Not Found"})

    run = runner.run("issue_comment", event)

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pr_opened"
    assert run.outputs["signed"] == "false"
    branch = f"codex/issue-{number}"
    assert runner.remote.show(branch, "hello.txt") == "hi\n"
    assert runner.remote.branch_sha(branch) not in runner.remote.objects.signed
    assert "::warning title=codex-pr-bot::The commit was pushed with git, unsigned" in run.stdout
    assert "404 Not Found" in run.summary


def test_a_branch_that_requires_signatures_fails_clearly_instead_of_pushing(
    runner: Runner, github: GitHubFake
) -> None:
    number, event = ask(runner, github, "printf 'hi\\n' > hello.txt")
    branch = f"codex/issue-{number}"
    github.require_signatures(branch)
    github.fail_next("POST", r"/git/trees$", 404, body={"message": "Not Found"})

    run = runner.run("issue_comment", event)

    assert run.returncode == 1
    assert run.outputs["conclusion"] == "failed"
    assert runner.remote.branch_sha(branch) is None  # nothing unsigned was pushed
    reply = github.comments(number)[-1].body
    assert f"the branch {branch} requires signed commits" in reply
    assert github.pulls == []


def test_with_signing_off_a_protected_branch_refuses_the_push_and_the_reply_says_why(
    runner: Runner, github: GitHubFake
) -> None:
    number, event = ask(runner, github, "printf 'hi\\n' > hello.txt")
    branch = f"codex/issue-{number}"
    github.require_signatures(branch)
    runner.inputs["INPUT_SIGN_COMMITS"] = "false"

    run = runner.run("issue_comment", event)

    assert run.returncode == 1
    assert runner.remote.branch_sha(branch) is None
    assert git_calls(github) == []
    assert "leave sign_commits on" in github.comments(number)[-1].body
