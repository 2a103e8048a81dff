"""Shared pieces of the offline rig: a git remote over HTTP, real clones."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rig.git_remote import GitRemote
from tests.rig.scripted_model import ScriptedModel

# Unique per test session, so a leak test cannot confuse them with another process's.
TOKEN = "ghs_test_fake_" + secrets.token_hex(16)


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[GitRemote]:
    """``octo-org/hello-world`` served over HTTP with token auth, seeded with one commit."""
    remote = GitRemote(tmp_path / "remote", full_name="octo-org/hello-world", token=TOKEN)
    remote.seed({"README.md": "# Hello World\n\nA greeting.\n", "src/app.py": "print('hi')\n"})
    with remote:
        yield remote


@pytest.fixture
def checkout(remote: GitRemote, tmp_path: Path) -> Path:
    return remote.clone(tmp_path / "workspace")


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    """The scripted model; a test adds what the orchestrator and Codex do."""
    with ScriptedModel(api_key="sk-test-scripted-" + secrets.token_hex(12)) as model:
        yield model
