"""A fleet's night end to end: plan → one ``python -m bot`` per repository, each aimed at its
own repository on the one GitHub fake (one opens a pull request, one has nothing to do,
one fails) → rollup into the fleet's tracking issue; then a second night edits it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import fleet, fleet_cli
from tests.action_rig import TOKEN, Runner
from tests.agent_scripts import delegate, finish
from tests.rig.git_remote import GitRemote, git
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell

TARGETS = ("octo-org/api", "octo-org/web", "octo-org/docs")
FLEET = """
defaults:
  prompt_file: .github/codex/nightly.md
repositories: [octo-org/api, octo-org/web, octo-org/docs]
"""
NIGHTLY = "Add a greeting file.\n"


@pytest.fixture
def targets(github: GitHubFake, tmp_path: Path) -> Iterator[dict[str, GitRemote]]:
    """Three repositories on the fake, each with its own git remote; docs lacks the
    request file the fleet names, so its night fails."""
    remotes = {}
    for name in TARGETS:
        remote = GitRemote(tmp_path / "targets", full_name=name, token=TOKEN)
        files = {"README.md": f"# {name}\n"}
        if name != "octo-org/docs":
            files[".github/codex/nightly.md"] = NIGHTLY
        remote.seed(files)
        remote.start()
        github.add_repository(name, remote=remote)
        remotes[name] = remote
    yield remotes
    for remote in remotes.values():
        remote.stop()


def night(runner: Runner, targets: dict[str, GitRemote], jobs: list[dict[str, str]],
          results: Path) -> dict[str, dict[str, str]]:  # fmt: skip
    """Each matrix job as the example workflow runs it: the target checked out under its
    path, the action with the job's inputs, the outputs kept as ``result.json``."""
    outputs = {}
    for job in jobs:
        where = runner.workspace / job["path"]
        shutil.rmtree(where, ignore_errors=True)  # each night is a fresh runner
        targets[job["repository"]].clone(where)
        runner.inputs.update(
            {f"INPUT_{key.upper()}": job[key] for key in
             ("repository", "path", "prompt", "prompt_file", "tasks_dir", "base", "max_cost_usd")}
        )  # fmt: skip
        run = runner.run("schedule", {"schedule": "23 2 * * *"})
        outputs[job["repository"]] = run.outputs
        folder = results / job["artifact"]
        folder.mkdir(parents=True, exist_ok=True)
        kept = {"repository": job["repository"], "outputs": run.outputs}
        (folder / "result.json").write_text(json.dumps(kept))
    return outputs


def rollup(github: GitHubFake, results: Path, plan: Path) -> int:
    environ = {
        "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "octo-org/hello-world",
        "GITHUB_API_URL": github.api_url, "GITHUB_SERVER_URL": github.server_url,
        "GITHUB_RUN_ID": "31337",
    }  # fmt: skip
    return fleet_cli.main(["rollup", str(results), "--plan", str(plan)], environ)


def test_a_fleets_night_and_the_next_in_one_tracking_issue(
    runner: Runner, github: GitHubFake, targets: dict[str, GitRemote], tmp_path: Path
) -> None:
    fleet_file = tmp_path / "fleet.yml"
    fleet_file.write_text(FLEET)
    # The scripted model has no price: the budget split is tested in test_fleet.py.
    matrix = fleet.plan(fleet.load(fleet_file))
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(matrix))
    jobs = matrix["include"]
    # api gets a greeting; web already has one, so nothing changes there.
    greet = "printf 'hello\\n' > hello.txt"
    work = targets["octo-org/web"].clone(tmp_path / "web-work")
    (work / "hello.txt").write_text("hello\n")
    git("add", "-A", cwd=work)
    git("-c", "user.name=M", "-c", "user.email=m@x", "commit", "-qm", "Greet", cwd=work)
    git("push", "-q", str(targets["octo-org/web"].bare), "HEAD:main", cwd=work)
    for _ in ("octo-org/api", "octo-org/web"):
        runner.model.add("orchestrator", delegate(), finish())
        runner.model.add("codex", Shell(greet), Say("Created hello.txt."))

    results = tmp_path / "results"
    outputs = night(runner, targets, jobs, results)

    assert outputs["octo-org/api"]["conclusion"] == "pr_opened"
    assert outputs["octo-org/web"]["conclusion"] == "no_changes"
    assert "conclusion" not in outputs["octo-org/docs"]  # refused before it started
    branch = outputs["octo-org/api"]["branch"]
    assert targets["octo-org/api"].show(branch, "hello.txt") == "hello\n"
    api = github.repository("octo-org/api")
    [pull] = api.pulls
    assert pull.base == "main"
    # REST calls per repository, counted: well within the budget of 10.
    for name in TARGETS:
        calls = [r for r in github.requests if r.repository == name]
        assert len(calls) <= 10, (name, [r.operation for r in calls])
    assert rollup(github, results, plan) == 1  # a repository failed: the step fails

    [issue] = [i for i in github.issues_with_label("codex-fleet")]
    first = issue.body or ""
    rows = [line for line in first.splitlines() if line.startswith("| octo-org/")]
    assert rows[0].startswith("| octo-org/docs | ❌ no result |")  # failures first
    assert f"/octo-org/api/pull/{pull.number}" in first
    assert "| octo-org/web | no_changes | — |" in first

    # The next night: docs has its request file now; the same issue is edited.
    docs = targets["octo-org/docs"].clone(tmp_path / "docs-work")
    (docs / ".github/codex").mkdir(parents=True)
    (docs / ".github/codex/nightly.md").write_text(NIGHTLY)
    (docs / "hello.txt").write_text("hello\n")
    git("add", "-A", cwd=docs)
    git("-c", "user.name=M", "-c", "user.email=m@x", "commit", "-qm", "Ask", cwd=docs)
    git("push", "-q", str(targets["octo-org/docs"].bare), "HEAD:main", cwd=docs)
    for _ in TARGETS:
        runner.model.add("orchestrator", delegate(), finish())
        runner.model.add("codex", Shell(greet), Say("Created hello.txt."))
    night(runner, targets, jobs, results)
    assert rollup(github, results, plan) == 0

    [again] = github.issues_with_label("codex-fleet")
    assert again.number == issue.number
    assert again.body != first
    assert "No repository failed." in (again.body or "")
    assert again.state == "open"  # api's pull request is still open
