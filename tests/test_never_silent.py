"""Every path ends with the status comment in its final state and the right outputs."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from tests.action_rig import RUN_ID, Runner, remote_heads
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event
from tests.rig.git_remote import git
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import EARLIER_THREAD_ID, Call, Fail, Hang, Say, Shell


def comment_request(
    github: GitHubFake, body: str = "/codex add a greeting file"
) -> dict[str, object]:
    number = github.add_issue("Greet visitors", "Please.", "Codertocat")
    comment = github.add_comment(number, body, "Codertocat")
    return comment_event(body, issue_number=number, comment_id=comment)


def bot_comments(github: GitHubFake, number: int) -> list[str]:
    return [c.body for c in github.comments(number) if f"run={RUN_ID}" in c.body]


def greeting(runner: Runner, text: str = "hello") -> None:
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add("codex", Shell(f"printf '{text}\\n' > hello.txt"), Say("Created hello.txt."))


def test_one_status_comment_goes_from_working_to_done(runner: Runner, github: GitHubFake) -> None:
    event = comment_request(github)
    greeting(runner)

    run = runner.run("issue_comment", event)

    assert run.returncode == 0, run.stderr
    [status] = bot_comments(github, 1)
    assert status.startswith("Opened ")
    assert "1 file changed" in status
    assert "tokens" in status
    writes = [(r.method, r.operation) for r in github.requests if r.method != "GET"]
    # The reaction and the "working" comment come first; the same comment is edited last.
    assert writes[:2] == [
        ("POST", "reactions/create-for-issue-comment"),
        ("POST", "issues/create-comment"),
    ]
    assert writes[-1] == ("PATCH", "issues/update-comment")
    assert [w for w in writes if w[1] == "issues/create-comment"] == [writes[1]]
    first_comment = next(r for r in github.requests if r.operation == "issues/create-comment")
    assert "Working on it" in str(first_comment.body)


def test_transient_github_failures_are_retried(runner: Runner, github: GitHubFake) -> None:
    event = comment_request(github)
    greeting(runner)
    github.fail_next("POST", r"/issues/\d+/comments$", 502)
    github.fail_next("GET", r"/collaborators/.+/permission$", 403, headers={"Retry-After": "1"})

    run = runner.run("issue_comment", event)

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pr_opened"
    assert [r.status for r in github.requests if r.injected] == [403, 502]
    assert len(bot_comments(github, 1)) == 1


def test_transient_model_failure_is_retried(runner: Runner, github: GitHubFake) -> None:
    runner.model.add("orchestrator", Fail(500, "overloaded"))
    greeting(runner)

    run = runner.run("issue_comment", comment_request(github))

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pr_opened"


def test_model_that_never_answers_cannot_outlast_the_deadline(
    runner: Runner, github: GitHubFake
) -> None:
    runner.inputs["INPUT_TIMEOUT_MINUTES"] = "0.15"
    runner.model.add("orchestrator", delegate(), Hang(600))
    runner.model.add("codex", Shell("printf 'half done\\n' > hello.txt"), Say("Started."))
    began = time.monotonic()

    run = runner.run("issue_comment", comment_request(github))

    assert time.monotonic() - began < 30
    assert run.returncode == 1
    assert run.outputs["conclusion"] == "pr_opened"
    [pull] = github.pulls
    assert pull.draft
    assert pull.title.startswith("[partial]")
    assert pull.head is not None
    assert runner.remote.show(pull.head, "hello.txt") == "half done\n"
    [status] = bot_comments(github, 1)
    assert status.startswith("⏱️ Stopped early")
    assert "deadline" in status


LONG = "300.4242"  # seconds: a sleep that only the cancelled Codex runs


def _processes_running(command: str) -> str:
    """The pids of live processes running ``command``; a killed one may take a moment
    to be gone from /proc."""
    deadline = time.monotonic() + 1
    while True:
        found = subprocess.run(["pgrep", "-f", command], capture_output=True, text=True)
        if not found.stdout.strip() or time.monotonic() > deadline:
            return found.stdout.strip()
        time.sleep(0.05)


def test_cancelled_job_stops_codex_and_keeps_the_work_as_a_draft(
    runner: Runner, github: GitHubFake, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"  # a folder the agent's own user may write in
    shared.mkdir()
    shared.chmod(0o777)
    marker = shared / "codex-is-working"
    runner.model.add("orchestrator", delegate())
    runner.model.add(
        "codex", Shell(f"printf 'wip\\n' > wip.txt; touch {marker}; sleep {LONG}; echo never")
    )
    runner.inputs["INPUT_SANDBOX"] = "danger-full-access"  # so the marker can leave the tree
    process = runner.start("issue_comment", comment_request(github))
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "Codex never started its command"

    process.send_signal(signal.SIGTERM)
    began = time.monotonic()
    run = runner.finish(process)

    assert time.monotonic() - began < 10
    assert run.returncode == 1
    [pull] = github.pulls
    assert pull.draft
    assert pull.head is not None
    assert runner.remote.show(pull.head, "wip.txt") == "wip\n"
    [status] = bot_comments(github, 1)
    assert "cancelled (SIGTERM)" in status
    # This test's own sleep (a duration no other test uses), gone once the bot is.
    assert _processes_running(f"sleep {LONG}") == ""
    # The workspace is handed back to its owner on this way out too.
    owner = runner.workspace.stat().st_uid
    assert {p.lstat().st_uid for p in runner.workspace.rglob("*")} == {owner}


def test_rerun_of_the_same_comment_updates_instead_of_duplicating(
    runner: Runner, github: GitHubFake
) -> None:
    event = comment_request(github)
    greeting(runner)
    first = runner.run("issue_comment", event)
    greeting(runner, "hello again")
    runner.inputs["GITHUB_RUN_ATTEMPT"] = "2"

    second = runner.run("issue_comment", event)

    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert first.outputs["conclusion"] == "pr_opened"
    assert second.outputs["conclusion"] == "pr_updated"
    [pull] = github.pulls
    assert pull.head is not None
    assert runner.remote.show(pull.head, "hello.txt") == "hello again\n"
    [status] = bot_comments(github, 1)
    assert status.startswith("Updated ")


def test_follow_up_on_the_bots_own_pull_request_continues_its_branch(
    runner: Runner, github: GitHubFake
) -> None:
    greeting(runner)
    opened = runner.run("issue_comment", comment_request(github))
    [pull] = github.pulls
    follow_up = github.add_comment(pull.number, "/codex also add a farewell", "Codertocat")
    runner.model.add("orchestrator", delegate("Add bye.txt."), finish(summary="Added bye.txt."))
    runner.model.add("codex", Shell("printf 'bye\\n' > bye.txt"), Say("Added bye.txt."))

    run = runner.run(
        "issue_comment",
        comment_event(
            "/codex also add a farewell",
            issue_number=pull.number,
            comment_id=follow_up,
            on_pull_request=True,
        ),
    )

    assert opened.returncode == run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"
    assert pull.head is not None
    assert run.outputs["branch"] == pull.head
    assert runner.remote.commits_between("main", pull.head) == 2
    assert runner.remote.show(pull.head, "hello.txt") == "hello\n"
    assert runner.remote.show(pull.head, "bye.txt") == "bye\n"
    assert len(github.pulls) == 1
    # A new thread gets the pull request's context.
    [asked] = [
        str(r.body["input"])
        for r in runner.model.requests
        if r.role == "orchestrator" and "also add a farewell" in str(r.body["input"])
    ][:1]
    assert "Pull request #2: Add a friendly greeting file" in asked


def test_pull_request_branch_that_moved_is_rebased_once(
    runner: Runner, github: GitHubFake, tmp_path: Path
) -> None:
    git("branch", "feature", "main", cwd=runner.remote.bare)
    number = github.add_pull("feature", "main", "A feature", None, "Codertocat")
    comment = github.add_comment(number, "/codex add a greeting", "Codertocat")
    # While Codex works, someone else pushes to the branch (from a folder the agent's
    # own user may write in).
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    other = shared / "other"
    # The agent's own user pushes straight into the bare repository.
    subprocess.run(["chmod", "-R", "a+rwX", str(runner.remote.bare)], check=True)
    meanwhile = (
        f"git clone -q {runner.remote.bare} {other} && cd {other} && git switch -q feature && "
        "echo other > other.txt && git add other.txt && "
        "git -c user.name=o -c user.email=o@x commit -qm other && git push -q origin feature"
    )
    runner.inputs["INPUT_SANDBOX"] = "danger-full-access"
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add(
        "codex", Shell(f"({meanwhile}) >/dev/null 2>&1; echo hi > hello.txt"), Say("ok")
    )

    run = runner.run(
        "issue_comment",
        comment_event(
            "/codex add a greeting", issue_number=number, comment_id=comment, on_pull_request=True
        ),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"
    assert runner.remote.show("feature", "other.txt") == "other\n"
    assert runner.remote.show("feature", "hello.txt") == "hi\n"
    assert remote_heads(runner.remote) == ["feature", "main"]


def test_scheduled_tasks_keep_their_own_pull_requests_across_nights(
    runner: Runner, github: GitHubFake, checkout: Path
) -> None:
    tasks = checkout / ".github" / "codex" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "changelog.md").write_text("Tidy the changelog.\n")
    (tasks / "deps.md").write_text("Bump the dependencies.\n")
    git("add", "-A", cwd=checkout)
    git("-c", "user.name=m", "-c", "user.email=m@x", "commit", "-qm", "tasks", cwd=checkout)
    git("push", "-q", str(runner.remote.bare), "HEAD:main", cwd=checkout)
    runner.inputs["INPUT_TASKS_DIR"] = ".github/codex/tasks"

    def night(changelog: str, deps: str | None) -> dict[str, str]:
        runner.model.add("orchestrator", delegate(), finish(title="Tidy the changelog"))
        runner.model.add("codex", Shell(f"echo '{changelog}' > CHANGELOG.md"), Say("ok"))
        runner.model.add("orchestrator", delegate(), finish(title="Bump dependencies"))
        command = f"echo '{deps}' > deps.txt" if deps else "true"
        runner.model.add("codex", Shell(command), Say("ok"))
        run = runner.run("schedule", {"schedule": "17 3 * * *"})
        assert run.returncode == 0, run.stderr
        return run.outputs

    first = night("v1", "requests==2")
    second = night("v2", None)

    assert first["conclusion"] == "pr_opened"
    assert len(first["pr_url"].splitlines()) == 2
    assert second["conclusion"] == "pr_updated"
    assert len(second["pr_url"].splitlines()) == 1  # the quiet task adds nothing
    heads = sorted(p.head or "" for p in github.pulls)
    assert heads == ["codex/task-changelog", "codex/task-deps"]
    assert runner.remote.show("codex/task-changelog", "CHANGELOG.md") == "v2\n"
    assert runner.remote.show("codex/task-deps", "deps.txt") == "requests==2\n"
    # Each task starts from the same tree: the second never sees the first's change.
    assert "CHANGELOG.md" not in git(
        "ls-tree", "-r", "--name-only", "codex/task-deps", cwd=runner.remote.bare
    )
    assert all(not github.comments(p.number) for p in github.pulls)


def test_follow_up_resumes_the_earlier_codex_thread(runner: Runner, github: GitHubFake) -> None:
    greeting(runner)
    runner.run("issue_comment", comment_request(github))
    [pull] = github.pulls
    assert pull.body is not None
    assert "codex-thread=" in pull.body
    follow_up = github.add_comment(pull.number, "/codex make it louder", "Codertocat")
    runner.model.add(
        "orchestrator",
        Call("codex-reply", {"threadId": EARLIER_THREAD_ID, "prompt": "Make it louder."}),
        finish(summary="Made it louder."),
    )
    runner.model.add("codex", Shell("printf 'HELLO\\n' > hello.txt"), Say("Louder now."))

    run = runner.run(
        "issue_comment",
        comment_event(
            "/codex make it louder",
            issue_number=pull.number,
            comment_id=follow_up,
            on_pull_request=True,
        ),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pushed"
    # Codex's request carries the first run's turn: the same thread went on.
    last_codex = [r for r in runner.model.requests if r.role == "codex"][-1]
    history = json.dumps(last_codex.body["input"])
    assert "Create hello.txt containing" in history
    assert "Make it louder." in history
    assert pull.head is not None
    assert runner.remote.show(pull.head, "hello.txt") == "HELLO\n"


def test_branch_without_an_open_pull_request_starts_afresh(
    runner: Runner, github: GitHubFake
) -> None:
    greeting(runner, "old")
    runner.run("issue_comment", comment_request(github))
    [old] = github.pulls
    # The pull request was merged or closed; its branch was left behind.
    with github.state.lock:
        github.state.issues[old.number].state = "closed"
    again = github.add_comment(1, "/codex add a greeting file", "Codertocat")
    greeting(runner, "new")

    run = runner.run(
        "issue_comment",
        comment_event("/codex add a greeting file", issue_number=1, comment_id=again),
    )

    assert run.returncode == 0, run.stderr
    assert run.outputs["conclusion"] == "pr_opened"
    assert len(github.pulls) == 2
    assert old.head is not None
    assert runner.remote.commits_between("main", old.head) == 1  # replaced, not stacked
    assert runner.remote.show(old.head, "hello.txt") == "new\n"


def test_reply_about_thousands_of_refused_files_is_posted_within_githubs_limit(
    runner: Runner, github: GitHubFake
) -> None:
    # 3,000 credential files make a refusal five times longer than a comment may be; the
    # fake refuses a body over 65,536 characters with 422, as GitHub does.
    names = "keys/deploy-key-for-the-production-service-number-$i.pem"
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add(
        "codex",
        Shell(f"mkdir -p keys && for i in $(seq 1 3000); do : > {names}; done"),
        Say("Created the keys."),
    )

    run = runner.run("issue_comment", comment_request(github))

    assert run.returncode == 1
    assert run.outputs["conclusion"] == "failed"
    [status] = bot_comments(github, 1)
    assert status.startswith("I could not finish this request")
    assert len(status) <= 65_536
    assert "the change adds credential files: keys/deploy-key-for-the-production" in status
    assert "and 2990 more" in status
    assert "Nothing was pushed. Fix the cause above and comment again to retry." in status
    assert [r.status for r in github.requests if r.operation == "issues/update-comment"] == [200]
    assert remote_heads(runner.remote) == ["main"]
    assert github.pulls == []
