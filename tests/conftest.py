"""Shared pieces of the offline rig: a git remote over HTTP, real clones."""

from __future__ import annotations

import os
import secrets
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from github import Auth, Github

from bot.forge import Access
from tests.action_rig import TOKEN, Runner
from tests.fakes import READER, WRITER, FakeForge
from tests.rig.git_remote import GitRemote
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import ScriptedModel


def _searchable(path: Path) -> None:
    """Let other users pass through ``path`` and every folder above it (not list them)."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


@pytest.fixture(scope="session", autouse=True)
def _agent_user_can_run_python() -> None:
    """As root, the bot runs Codex as the agent's own user, which must be able to start
    this interpreter and reach the test's folders (pyenv and pytest keep theirs 0700)."""
    if os.geteuid() == 0:
        _searchable(Path(os.path.realpath(sys.executable)).parent)
        _searchable(Path(sys.prefix))


@pytest.fixture(autouse=True)
def _agent_user_can_reach(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        _searchable(tmp_path)


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


@pytest.fixture
def github(remote: GitRemote) -> Iterator[GitHubFake]:
    """GitHub, faked: every request and response is checked against GitHub's OpenAPI."""
    fake = GitHubFake(
        token=TOKEN,
        branch_sha=remote.branch_sha,
        commits_between=remote.commits_between,
        pull_head=remote.pull_head,
        track_pull=remote.track_pull,
        diff_files=remote.diff_files,
        git_objects=remote.objects,
    )
    with fake:
        fake.set_permission("Codertocat", "write")
        yield fake
    assert fake.validation_errors == []


@pytest.fixture
def g(github: GitHubFake) -> Iterator[Github]:
    """PyGithub as bot/github_api.py sets it up: lazy, so a lookup by number costs nothing."""
    client = Github(
        auth=Auth.Token(github.token),
        base_url=github.api_url,
        lazy=True,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
    yield client
    client.close()


@pytest.fixture
def runner(
    tmp_path: Path, github: GitHubFake, remote: GitRemote, model: ScriptedModel, checkout: Path
) -> Runner:
    """Starts ``python -m bot`` like the Actions runner, against the fakes above."""
    return Runner(tmp_path, github, remote, model, checkout)


@pytest.fixture
def forge(remote: GitRemote) -> FakeForge:
    """The forge in memory, for the use case's unit tests; its branches are the remote's."""
    return FakeForge(
        TOKEN,
        branch_exists=lambda branch: remote.branch_sha(branch) is not None,
        access_of={WRITER: Access.WRITE, READER: Access.READ},
        objects=remote.objects,
    )
