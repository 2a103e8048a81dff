"""The command a person types, as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=60,
    )


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if "OPENAI" not in k and "GITHUB" not in k}


def test_local_help_explains_the_command() -> None:
    done = run("local", "--help")
    assert done.returncode == 0
    assert "--push" in done.stdout
    assert "--repo" in done.stdout
    assert "OPENAI_API_KEY" in done.stdout


def test_local_without_a_key_stops_at_once_and_says_what_to_set(checkout: Path) -> None:
    done = run("local", "add a file", "--repo", str(checkout), env=clean_env())
    assert done.returncode == 2
    assert "OPENAI_API_KEY" in done.stderr
    assert "OPENAI_BASE_URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_command_prints_usage() -> None:
    done = run("frobnicate")
    assert done.returncode == 2
    assert "local" in done.stderr
    assert "mcp-server" in done.stderr
