"""`codex-pr-bot local` end to end: the real Agents SDK, MCP stdio, Codex and git.

Only the model is scripted (an OpenAI-compatible server on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.action_rig import TOKEN
from tests.agent_scripts import delegate, finish
from tests.rig.git_remote import GitRemote, git
from tests.rig.scripted_model import THREAD_ID, Call, Fail, Say, ScriptedModel, Shell


def run_local(
    model: ScriptedModel, checkout: Path, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path / "home"),
        "OPENAI_API_KEY": model.api_key,
        "OPENAI_BASE_URL": model.base_url,
        "CODEX_HOME": str(tmp_path / "codex-home"),
        "GITHUB_TOKEN": TOKEN,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "local", *args, "--repo", str(checkout)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def codex_prompts(model: ScriptedModel) -> str:
    return "\n".join(json.dumps(r.body.get("input")) for r in model.requests if r.role == "codex")


def test_change_is_committed_on_a_branch_and_pushed(
    model: ScriptedModel, checkout: Path, remote: GitRemote, tmp_path: Path
) -> None:
    model.add("orchestrator", delegate(), finish())
    model.add("codex", Shell("printf 'hello\\n' > hello.txt"), Say("Created hello.txt."))

    done = run_local(model, checkout, tmp_path, "add a greeting file", "--push")

    assert done.returncode == 0, done.stderr
    branch = git("branch", "--show-current", cwd=checkout).strip()
    assert branch.startswith("codex/task-add-a-greeting-file-")
    assert f"Branch {branch}" in done.stdout
    assert "Title: Add a friendly greeting file" in done.stdout
    assert re.search(r"Model use: [1-9][\d,]* tokens \(", done.stdout)  # both layers, counted
    assert remote.show(branch, "hello.txt") == "hello\n"
    assert remote.log(branch) == (
        "codex-pr-bot <codex-pr-bot@users.noreply.github.com>\n"
        "Add hello.txt\n\nA greeting for visitors.\n\n"
    )
    # The model, not the bot, chose what Codex was asked; the request reached Codex.
    assert "Create hello.txt" in codex_prompts(model)
    # The progress of Codex's turn is logged as readable lines.
    assert "ran: " in done.stderr
    assert "printf" in done.stderr
    assert TOKEN not in done.stdout + done.stderr


def test_without_push_the_branch_stays_local(
    model: ScriptedModel, checkout: Path, remote: GitRemote, tmp_path: Path
) -> None:
    model.add("orchestrator", delegate(), finish())
    model.add("codex", Shell("echo hi > hello.txt"), Say("done"))

    done = run_local(model, checkout, tmp_path, "add a greeting file")

    assert done.returncode == 0, done.stderr
    assert "committed locally" in done.stdout
    branch = git("branch", "--show-current", cwd=checkout).strip()
    assert remote.branch_sha(branch) is None
    assert git("status", "--porcelain", cwd=checkout) == ""


def test_no_change_is_a_clear_no_op(
    model: ScriptedModel, checkout: Path, remote: GitRemote, tmp_path: Path
) -> None:
    model.add("orchestrator", delegate(), finish())
    model.add("codex", Shell("cat README.md"), Say("Nothing needed changing."))

    done = run_local(model, checkout, tmp_path, "check the readme", "--push")

    assert done.returncode == 0, done.stderr
    assert "made no changes" in done.stdout
    assert git("branch", "--show-current", cwd=checkout).strip() == "main"
    assert git("ls-remote", "--heads", str(remote.bare)).count("refs/heads/") == 1


def test_model_error_is_reported_and_nothing_is_pushed(
    model: ScriptedModel, checkout: Path, remote: GitRemote, tmp_path: Path
) -> None:
    model.add("orchestrator", Fail(400, "The model `gpt-4.1` does not exist"))

    done = run_local(model, checkout, tmp_path, "add a file", "--push")

    assert done.returncode == 1
    assert "The model API answered 400: The model `gpt-4.1` does not exist" in done.stderr
    assert "Traceback" not in done.stderr
    assert git("ls-remote", "--heads", str(remote.bare)).count("refs/heads/") == 1


def test_codex_failure_reaches_the_agent_and_nothing_is_pushed(
    model: ScriptedModel, checkout: Path, remote: GitRemote, tmp_path: Path
) -> None:
    model.add("orchestrator", delegate(), finish(summary="Codex failed; nothing changed."))
    model.add("codex", Fail(400, "Your organization is not verified"))

    done = run_local(model, checkout, tmp_path, "add a file", "--push")

    assert done.returncode == 0, done.stderr
    assert "made no changes" in done.stdout
    tool_output = json.dumps(model.requests[-1].body["input"][-1])
    assert "Your organization is not verified" in tool_output
    assert git("ls-remote", "--heads", str(remote.bare)).count("refs/heads/") == 1


def test_codex_reply_continues_the_same_thread(
    model: ScriptedModel, checkout: Path, tmp_path: Path
) -> None:
    model.add(
        "orchestrator",
        delegate("Create a.txt."),
        Call("codex-reply", {"threadId": THREAD_ID, "prompt": "Now create b.txt too."}),
        finish(),
    )
    model.add(
        "codex",
        Shell("echo a > a.txt"),
        Say("Created a.txt."),
        Shell("echo b > b.txt"),
        Say("Created b.txt."),
    )

    done = run_local(model, checkout, tmp_path, "add two files")

    assert done.returncode == 0, done.stderr
    assert (checkout / "a.txt").read_text() == "a\n"
    assert (checkout / "b.txt").read_text() == "b\n"
    codex_calls = [r.body for r in model.requests if r.role == "codex"]
    # The reply's request carries the first turn's history: the same thread went on.
    assert "Create a.txt." in json.dumps(codex_calls[-1]["input"])
    assert "Now create b.txt too." in json.dumps(codex_calls[-1]["input"])


def test_codex_commands_never_see_the_github_token_or_model_key(
    model: ScriptedModel, checkout: Path, tmp_path: Path
) -> None:
    model.add("orchestrator", delegate(), finish())
    model.add("codex", Shell("env > seen-env.txt"), Say("Saved the environment."))

    done = run_local(model, checkout, tmp_path, "dump the environment")

    assert done.returncode == 0, done.stderr
    seen = (checkout / "seen-env.txt").read_text()
    assert "PATH=" in seen
    assert TOKEN not in seen
    assert model.api_key not in seen
    assert TOKEN not in done.stdout + done.stderr
