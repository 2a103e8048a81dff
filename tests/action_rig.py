"""A runner-like world for action mode: GitHub fake, git remote, scripted model, event."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.rig.git_remote import GitRemote
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import ScriptedModel

RUN_ID = "4242"
# Unique per test session, so a leak test cannot confuse it with another process's.
TOKEN = "ghs_test_fake_" + secrets.token_hex(16)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


@dataclass
class Runner:
    """Starts ``python -m bot`` the way the Actions runner starts the container."""

    tmp: Path
    github: GitHubFake
    remote: GitRemote
    model: ScriptedModel
    workspace: Path
    inputs: dict[str, str] = field(default_factory=dict)
    # Run the bot as this uid instead of root, as on a runner that is not root.
    user: int | None = None

    def run(self, event_name: str, event: dict[str, Any] | str) -> Run:
        return self.finish(self.start(event_name, event))

    def start(self, event_name: str, event: dict[str, Any] | str) -> subprocess.Popen[str]:
        """Start the bot without waiting, e.g. to cancel it like the runner does."""
        event_path = self.tmp / "event.json"
        event_path.write_text(event if isinstance(event, str) else json.dumps(event))
        output, summary = self.tmp / "github_output", self.tmp / "step_summary"
        # Each step of a job gets fresh files.
        output.write_text("")
        summary.write_text("")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.tmp / "home"),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": "octo-org/hello-world",
            "GITHUB_API_URL": self.github.api_url,
            "GITHUB_SERVER_URL": self.github.server_url,
            "GITHUB_RUN_ID": RUN_ID,
            "GITHUB_ACTOR": "Codertocat",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "INPUT_GITHUB_TOKEN": TOKEN,
            "INPUT_OPENAI_API_KEY": self.model.api_key,
            "OPENAI_BASE_URL": self.model.base_url,
            "CODEX_HOME": str(self.tmp / "codex-home"),
            **self.inputs,
        }
        if self.user is not None:
            for folder in (self.tmp / "home", self.tmp / "codex-home"):
                folder.mkdir(exist_ok=True)
            for path in (self.workspace, self.tmp / "home", self.tmp / "codex-home"):
                subprocess.run(["chown", "-R", f"{self.user}:{self.user}", path], check=True)
            for path in (output, summary):
                os.chown(path, self.user, self.user)
        return subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=self.workspace,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            user=self.user,
            group=self.user,
            extra_groups=[] if self.user is not None else None,
        )

    def finish(self, process: subprocess.Popen[str]) -> Run:
        stdout, stderr = process.communicate(timeout=180)
        return Run(
            process.returncode,
            stdout,
            stderr,
            read_outputs(self.tmp / "github_output"),
            (self.tmp / "step_summary").read_text(),
        )

    @property
    def run_url(self) -> str:
        return f"{self.github.server_url}/octo-org/hello-world/actions/runs/{RUN_ID}"


def read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT parsed as the runner does (heredoc form)."""
    values: dict[str, str] = {}
    lines = path.read_text().split("\n")
    index = 0
    while index < len(lines):
        if "<<" in lines[index]:
            name, delimiter = lines[index].split("<<", 1)
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1 : end])
            index = end
        index += 1
    return values


def remote_heads(remote: GitRemote) -> list[str]:
    out = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname:short)", "refs/heads"],
        cwd=remote.bare,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(out.split())
