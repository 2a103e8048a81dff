"""Everything but harmless variables leaves /proc; secrets are recognised by name and shape."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.secret_env import known_secrets, stays_visible
from tests.action_rig import Runner
from tests.agent_scripts import delegate, finish
from tests.payloads import dispatch_event
from tests.rig.scripted_model import Say, Shell


@pytest.mark.parametrize(
    ("name", "value", "visible"),
    [
        ("PATH", "/usr/bin:/bin", True),
        ("HOME", "/github/home", True),
        ("LC_ALL", "C.UTF-8", True),
        ("PYTHONDONTWRITEBYTECODE", "1", True),
        ("GITHUB_REPOSITORY", "octo-org/hello-world", True),
        ("RUNNER_TEMP", "/home/runner/work/_temp", True),
        ("HTTPS_PROXY", "http://proxy.internal:3128", True),
        ("GITHUB_TOKEN", "ghs_x", False),
        ("GH_PAT", "ghp_x", False),
        ("DATABASE_URL", "postgres://app@db/app", False),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions.example/x", False),
        ("ACTIONS_RUNTIME_TOKEN", "x", False),
        ("INPUT_MODEL", "gpt-5", False),  # inputs are read from the handover
        ("GITHUB_MY_DEPLOY_NOTE", "x", False),  # not one of the runner's own
        ("PYTHON_TOKEN", "x", False),
        ("HTTPS_PROXY", "http://me:hunter2hunter2@proxy.internal:3128", False),
    ],
)
def test_only_harmless_variables_stay_visible(name: str, value: str, visible: bool) -> None:
    assert stays_visible(name, value) is visible


def test_secrets_are_known_by_name_and_by_a_password_in_a_url(tmp_path: Path) -> None:
    environ = {
        "GH_PAT": "ghp_personal_access_token_1",
        "DB_PASSWD": "correct-horse-1",
        "HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz",
        "ANTHROPIC_AUTH_TOKEN": "auth-token-value-2",
        "SSH_PRIVATE_KEY": "-----BEGIN OPENSSH PRIVATE KEY-----",
        "DATABASE_URL": "postgres://app:s3cret%2Fpass-word@db.internal:5432/app",
        "HTTPS_PROXY": "http://me:proxy-password-3@proxy.internal:3128",
        # Ordinary values, whatever the name: no one's secret.
        "AUTH_ENABLED": "true",
        "OAUTH_ISSUER_URL": "https://login.example.com/oauth2",
        "SIGNING_KEY_FILE": str(tmp_path),
        "GIT_AUTHOR_NAME": "Codertocat Octocat",
        "INPUT_MODEL": "gpt-5-codex-mini",
        "SERVICE_URL": "https://app:@example.com/",
    }

    assert known_secrets(environ) == sorted(
        [
            "ghp_personal_access_token_1",
            "correct-horse-1",
            "Basic dXNlcjpwYXNz",
            "auth-token-value-2",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "s3cret%2Fpass-word",
            "s3cret/pass-word",
            "proxy-password-3",
        ]
    )


PROBE = """
import json, os
from bot.secret_env import environ_with_secrets, reexec_without_secrets
reexec_without_secrets()
environ = environ_with_secrets()
with open('/proc/self/environ', 'rb') as f:
    visible = f.read().decode()
print(json.dumps({'visible': visible, 'environ': environ, 'proxy': os.environ.get('HTTPS_PROXY'),
                  'fds': sorted(os.listdir('/proc/self/fd'))}))
"""


def test_a_hundred_kilobytes_of_secrets_are_handed_over_whole() -> None:
    big = {f"DEPLOY_SECRET_{i}": secrets.token_hex(1000) for i in range(50)}
    proxy = "http://me:proxy-password-3@proxy.internal:3128"
    env = {**os.environ, **big, "GH_PAT": "ghp_" + "p" * 30, "HTTPS_PROXY": proxy}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout)
    assert sum(map(len, big.values())) >= 100_000
    assert {name: seen["environ"][name] for name in big} == big
    assert seen["environ"]["GH_PAT"] == env["GH_PAT"]
    assert "PATH=" in seen["visible"]
    for value in [*big.values(), env["GH_PAT"], "proxy-password-3"]:
        assert value not in seen["visible"]
    # The proxy works in this process all the same; the handover file is closed.
    assert seen["proxy"] == proxy
    assert len(seen["fds"]) <= 4, seen["fds"]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def test_a_running_bot_shows_no_secret_in_proc_and_masks_only_secrets(
    runner: Runner, tmp_path: Path
) -> None:
    # 100 kB that is hidden but no one's secret, and 20 kB of secrets, which are masked
    # (the test reads the bot's stdout only at the end: masks must fit in a pipe).
    bulk = {f"DEPLOY_NOTE_{i}": secrets.token_hex(1000) for i in range(50)}
    big = {f"DEPLOY_SECRET_{i}": secrets.token_hex(500) for i in range(20)}
    password = "pg-" + secrets.token_hex(8)
    pat = "ghp_" + secrets.token_hex(18)
    runner.inputs |= {
        **bulk,
        **big,
        "GH_PAT": pat,
        "DATABASE_URL": f"postgres://app:{password}@db.internal:5432/app",
        "FEATURE_AUTH_ENABLED": "true",
        "SERVICE_URL": "https://service.internal/api",
        "SIGNING_KEY_FILE": str(tmp_path),
    }
    shared = tmp_path / "shared"  # a folder the agent's own user may write in
    shared.mkdir()
    shared.chmod(0o777)
    marker = shared / "codex-is-working"
    runner.inputs["INPUT_SANDBOX"] = "danger-full-access"  # so the marker can leave the tree
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add(
        "codex", Shell(f"printf 'hi\\n' > hello.txt; touch {marker}; sleep 3"), Say("Done.")
    )

    process = runner.start("workflow_dispatch", dispatch_event("add a greeting"))
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not marker.exists():
        process.kill()
        pytest.fail(f"Codex never started its command: {runner.finish(process).stderr}")
    environs = {}
    for pid in descendants(process.pid):
        try:
            environs[pid] = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        except OSError:
            continue  # already gone
    run = runner.finish(process)

    assert run.returncode == 0, run.stderr
    assert process.pid in environs
    assert len(environs) >= 3  # the bot, its MCP server, Codex and its command
    values = [*bulk.values(), *big.values(), pat, password, runner.model.api_key]
    leaked = [(pid, v[:12]) for pid, text in environs.items() for v in values if v in text]
    assert leaked == []
    masks = {line for line in run.stdout.splitlines() if line.startswith("::add-mask::")}
    for value in [pat, password, *big.values()]:
        assert f"::add-mask::{value}" in masks
    for ordinary in ("true", "https://service.internal/api", str(tmp_path), *bulk.values()):
        assert f"::add-mask::{ordinary}" not in masks
