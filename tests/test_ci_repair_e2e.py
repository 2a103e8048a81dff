"""CI repair end to end: ``python -m bot`` on GitHub's real ``workflow_run`` payload against the
GitHub fake (runs, jobs, logs behind a redirect; every request checked against GitHub's
OpenAPI description), the real git remote and the real Codex."""

from __future__ import annotations

from pathlib import Path

from bot.messages import BOT_IDENTITY, PULL_MARK
from tests.action_rig import Runner
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event, workflow_run_event
from tests.rig.git_remote import GitRemote, git
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell

BRANCH = "codex/issue-7"
FAILING = "tests/test_app.py::test_greets_the_world FAILED"
LOG = "\n".join(
    f"2026-12-05T10:00:{n:02d}.0000000Z {line}"
    for n, line in enumerate(
        [
            "##[group]Run actions/checkout@v5",
            "Syncing repository: octo-org/hello-world",
            "##[endgroup]",
            "##[group]Run pytest -q",
            "pytest -q",
            "shell: /usr/bin/bash -e {0}",
            "##[endgroup]",
            "F.                                                                       [100%]",
            "    def test_greets_the_world():",
            ">       assert greet() == 'hello, world'",
            "E       AssertionError: assert 'hi' == 'hello, world'",
            FAILING,
            "1 failed, 1 passed in 0.12s",
            "##[error]Process completed with exit code 1.",
        ]
    )
)


def bots_pull(github: GitHubFake, remote: GitRemote, tmp_path: Path, who: str = "bot") -> int:
    """A pull request from BRANCH with one commit: the bot's (its marker in the body, its
    commit), or a person's who named a branch like the bot's."""
    work = remote.clone(tmp_path / f"pull-{who}")
    git("switch", "-q", "-c", BRANCH, cwd=work)
    (work / "src/app.py").write_text("def greet():\n    return 'hi'\n")
    name, email = (BOT_IDENTITY.name, BOT_IDENTITY.email) if who == "bot" else ("Mona", "m@x")
    git("add", "-A", cwd=work)
    git("-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-qm", "Greet",
        cwd=work)  # fmt: skip
    git("push", "-q", str(remote.bare), BRANCH, cwd=work)
    if who == "bot":
        return github.add_pull(BRANCH, "main", "Greet", f"Greets.\n\n{PULL_MARK}\n",
                               user_login="github-actions[bot]")  # fmt: skip
    return github.add_pull(BRANCH, "main", "Greet", "Mine.", user_login="Codertocat")


def ci_failed(github: GitHubFake, remote: GitRemote, branch: str = BRANCH) -> dict[str, object]:
    """CI failed at the branch's tip: a run with one failed job and its log; the event."""
    sha = remote.branch_sha(branch)
    assert sha is not None
    run = github.add_workflow_run(head_branch=branch, head_sha=sha)
    github.add_job(run, name="test", steps=[("Run actions/checkout@v5", "success"),
                                             ("Run pytest -q", "failure")], log=LOG)  # fmt: skip
    [pull] = [p.number for p in github.pulls if p.head == branch]
    return workflow_run_event(run_id=run, head_branch=branch, head_sha=sha, pull_numbers=[pull])


def repair(runner: Runner) -> None:
    runner.model.add("orchestrator", delegate("Fix greet()."), finish(summary="Fixed greet()."))
    fix = "printf \"def greet():\\n    return 'hello, world'\\n\" > src/app.py"
    runner.model.add("codex", Shell(fix), Say("Fixed greet()."))


def bot_comments(github: GitHubFake, number: int) -> list[str]:
    return [c.body for c in github.comments(number) if c.user == "github-actions[bot]"]


def test_a_failed_run_on_the_bots_pull_request_gets_one_fix_and_one_comment(
    runner: Runner, github: GitHubFake, tmp_path: Path
) -> None:
    number = bots_pull(github, runner.remote, tmp_path)
    event = ci_failed(github, runner.remote)
    repair(runner)

    run = runner.run("workflow_run", event)

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"
    remote = runner.remote
    assert remote.show(BRANCH, "src/app.py") == "def greet():\n    return 'hello, world'\n"
    assert remote.branch_sha(BRANCH) in remote.objects.signed
    # The log was read through its redirect, and the token never went with it.
    assert len(github.log_downloads) == 1
    assert github.log_downloads_with_auth == []
    # Codex read the failing test and its assertion, as context, not as the request.
    asked = "\n".join(str(r.body["input"]) for r in runner.model.requests)
    assert FAILING in asked
    assert "AssertionError: assert 'hi' == 'hello, world'" in asked
    [reply] = bot_comments(github, number)
    assert reply.startswith(f"Pushed [{str(remote.branch_sha(BRANCH))[:7]}](")
    assert "🔧 CI repair, attempt 1 of 2: `CI / test` (failure at step `Run pytest -q`)" in reply


def test_the_same_failure_after_a_fix_stops_with_one_comment(
    runner: Runner, github: GitHubFake, tmp_path: Path
) -> None:
    number = bots_pull(github, runner.remote, tmp_path)
    repair(runner)
    assert runner.run("workflow_run", ci_failed(github, runner.remote)).returncode == 0

    again = runner.run("workflow_run", ci_failed(github, runner.remote))  # same log, new head

    assert again.returncode == 0, again.stderr
    assert again.outputs["conclusion"] == "skipped"
    comments = bot_comments(github, number)
    assert len(comments) == 2
    assert "CI fails the same way after my attempt 1" in comments[-1]
    assert "`/codex fix-ci`" in comments[-1]
    # A third failure is met with silence: the stop was said once.
    third = runner.run("workflow_run", ci_failed(github, runner.remote))
    assert third.outputs["conclusion"] == "skipped"
    assert len(bot_comments(github, number)) == 2
    assert len(runner.model.requests) == 4  # the one repair's: no model call after it


def test_fork_branches_and_other_peoples_pull_requests_are_left_alone(
    runner: Runner, github: GitHubFake, tmp_path: Path
) -> None:
    number = bots_pull(github, runner.remote, tmp_path, who="person")  # no marker
    sha = str(runner.remote.branch_sha(BRANCH))
    mine = runner.run("workflow_run", ci_failed(github, runner.remote))
    fork_run = github.add_workflow_run(head_branch=BRANCH, head_sha=sha, head_repo="mallory/fork")
    fork = runner.run(
        "workflow_run",
        workflow_run_event(run_id=fork_run, head_branch=BRANCH, head_sha=sha,
                           head_repo="mallory/fork"),
    )  # fmt: skip

    for run in (mine, fork):
        assert run.returncode == 0, run.stderr
        assert run.outputs["conclusion"] == "skipped"
    assert github.comments(number) == []
    assert github.log_downloads == []
    assert runner.model.requests == []
    assert runner.remote.branch_sha(BRANCH) == sha


def test_fix_ci_on_demand_repairs_a_persons_pull_request(
    runner: Runner, github: GitHubFake, tmp_path: Path
) -> None:
    number = bots_pull(github, runner.remote, tmp_path, who="person")
    ci_failed(github, runner.remote)
    comment = github.add_comment(number, "/codex fix-ci", "Codertocat")
    repair(runner)

    run = runner.run(
        "issue_comment",
        comment_event("/codex fix-ci", issue_number=number, comment_id=comment,
                      on_pull_request=True),
    )  # fmt: skip

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"
    assert "hello, world" in runner.remote.show(BRANCH, "src/app.py")
    reply = bot_comments(github, number)[-1]
    assert "🔧 CI repair, attempt 1, asked for: `CI / test`" in reply
    assert [r.content for r in github.reactions(comment)] == ["eyes"]
