"""Signed commits: the checked commit made again through the forge's Git Data API, on the
real remote's objects, with exactly the tree git makes; and what happens where the API
cannot make it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from bot import signed_push
from bot.forge import MadeCommit, Pull, TreeChange
from bot.github_api import git_credentials
from bot.gitrepo import Repository
from bot.report import Conclusion
from tests.action_rig import TOKEN
from tests.fakes import FakeAgent, FakeForge, FakeGitData
from tests.rig.git_remote import GitRemote, committed, git
from tests.test_use_case import comment, run

BRANCH = "codex/issue-1"


@pytest.fixture
def workspace(remote: GitRemote, tmp_path: Path) -> Path:
    """A checkout of main with a script whose mode the change flips, like a real project's."""
    work = remote.clone(tmp_path / "seed-more")
    (work / "tool.sh").write_text("echo tool\n")
    committed(work, "Add a tool")
    git("push", "-q", str(remote.bare), "HEAD:refs/heads/main", cwd=work)
    return remote.clone(tmp_path / "workspace-signed")


def every_kind_of_change(work: Path) -> None:
    """A binary file, a deletion, a rename, an executable bit, a symlink, a nested folder,
    a CRLF text and a plain text file."""
    (work / "logo.bin").write_bytes(bytes(range(256)) * 3)
    (work / "README.md").unlink()
    (work / "src/app.py").rename(work / "src/main.py")
    (work / "tool.sh").chmod(0o755)
    os.symlink("src/main.py", work / "current")
    (work / "docs/deep").mkdir(parents=True)
    (work / "docs/deep/guide.md").write_text("# Guide\n\nÜnïcödé text.\n")
    (work / "windows.txt").write_bytes(b"one\r\ntwo\r\n")


def tree_git_makes(remote: GitRemote, tmp_path: Path) -> str:
    """The same change made by hand with git, in a clone of its own."""
    work = remote.clone(tmp_path / "by-hand")
    every_kind_of_change(work)
    git("add", "-A", cwd=work)
    return git("write-tree", cwd=work).strip()


def tip(remote: GitRemote, what: str = "%H") -> str:
    return git("log", "-1", f"--format={what}", f"refs/heads/{BRANCH}", cwd=remote.bare).strip()


def test_a_signed_commit_has_exactly_the_tree_git_makes(
    workspace: Path, forge: FakeForge, remote: GitRemote, tmp_path: Path
) -> None:
    forge.git = FakeGitData(remote.objects)
    agent = FakeAgent(acts=every_kind_of_change)

    report = run(workspace, forge, agent, comment("/codex reorganise"))

    assert report.conclusion is Conclusion.PR_OPENED
    assert (report.signed, report.unsigned) == (True, "")
    assert report.outputs()["signed"] == "true"
    sha = tip(remote)
    assert sha in remote.objects.signed  # made by the forge, which signs it
    assert tip(remote, "%T") == tree_git_makes(remote, tmp_path)
    assert tip(remote, "%P") == remote.branch_sha("main")
    assert tip(remote, "%an <%ae>") == "codex-pr-bot <codex-pr-bot@users.noreply.github.com>"
    assert tip(remote, "%cn") == "GitHub"
    assert "Co-authored-by: Codertocat" in tip(remote, "%B")
    # Only new bytes travel: the binary file and the CRLF text as blobs, the other texts
    # inside the tree request; the rename and the mode change upload nothing.
    assert forge.git.calls == ["blob", "blob", "tree", "commit", "ref"]
    # The workspace's branch is the forge's commit, and nothing shows as changed.
    assert git("rev-parse", "HEAD", cwd=workspace).strip() == sha == report.commit
    assert git("status", "--porcelain", cwd=workspace) == ""


def test_without_the_api_git_pushes_the_checked_commit_and_says_why(
    workspace: Path, forge: FakeForge, remote: GitRemote
) -> None:
    forge.git = FakeGitData(None)  # a server that answers 404 to the Git Data API
    report = run(workspace, forge, FakeAgent(files={"hello.txt": "hi\n"}), comment("/codex hi"))

    assert report.conclusion is Conclusion.PR_OPENED
    assert report.signed is False
    assert "404" in report.unsigned
    assert report.outputs()["signed"] == "false"
    assert remote.show(BRANCH, "hello.txt") == "hi\n"
    assert tip(remote) not in remote.objects.signed


def test_a_branch_that_requires_signatures_gets_nothing_unsigned(
    workspace: Path, forge: FakeForge, remote: GitRemote
) -> None:
    forge.git = FakeGitData(None)
    forge.rules[BRANCH] = ["required_signatures"]
    report = run(workspace, forge, FakeAgent(files={"hello.txt": "hi\n"}), comment("/codex hi"))

    assert report.conclusion is Conclusion.FAILED
    assert f"the branch {BRANCH} requires signed commits" in report.summary
    assert "404" in report.summary
    assert remote.branch_sha(BRANCH) is None
    assert forge.pulls == {}


def test_sign_commits_off_pushes_with_git_and_asks_nothing(
    workspace: Path, forge: FakeForge, remote: GitRemote
) -> None:
    forge.git = FakeGitData(remote.objects)
    agent = FakeAgent(files={"hello.txt": "hi\n"})
    report = run(workspace, forge, agent, comment("/codex hi"), sign_commits="false")

    assert report.conclusion is Conclusion.PR_OPENED
    assert (report.signed, report.unsigned, forge.git.calls) == (False, "", [])
    assert remote.show(BRANCH, "hello.txt") == "hi\n"


class TreeTamperingGitData(FakeGitData):
    """A forge that builds another tree than it was asked for: it drops the deletion."""

    def write_tree(self, base_tree: str, changes: object) -> str:
        assert isinstance(changes, list)
        kept: list[TreeChange] = [c for c in changes if c.sha or c.text is not None]
        return super().write_tree(base_tree, kept)


def test_a_tree_other_than_the_checked_one_never_reaches_the_branch(
    workspace: Path, forge: FakeForge, remote: GitRemote, tmp_path: Path
) -> None:
    forge.git = TreeTamperingGitData(remote.objects)
    report = run(workspace, forge, FakeAgent(acts=every_kind_of_change), comment("/codex x"))

    assert report.conclusion is Conclusion.PR_OPENED
    assert "different tree" in report.unsigned
    assert forge.git.calls[-1] == "tree"  # no commit was made of it
    assert tip(remote, "%T") == tree_git_makes(remote, tmp_path)  # the checked commit, by git
    assert remote.objects.signed == set()


def test_a_file_too_large_for_the_api_goes_with_git(
    workspace: Path, forge: FakeForge, remote: GitRemote, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signed_push, "BLOB_LIMIT", 1000)
    forge.git = FakeGitData(remote.objects)
    agent = FakeAgent(acts=lambda work: (work / "big.bin").write_bytes(b"\xff" * 1001))
    report = run(workspace, forge, agent, comment("/codex add a big file"))

    assert report.conclusion is Conclusion.PR_OPENED
    assert "larger than" in report.unsigned
    assert remote.branch_sha(BRANCH) is not None
    assert forge.git.calls == []  # nothing was sent before the size was known


def test_a_pull_request_branch_that_moved_is_rebased_and_signed(
    workspace: Path, forge: FakeForge, remote: GitRemote, tmp_path: Path
) -> None:
    git("branch", "feature", "main", cwd=remote.bare)
    other = remote.clone(tmp_path / "someone-else")

    def meanwhile(work: Path) -> None:
        (work / "hello.txt").write_text("hi\n")
        git("switch", "-q", "feature", cwd=other)
        (other / "other.txt").write_text("other\n")
        committed(other, "Someone else's commit")
        git("push", "-q", str(remote.bare), "feature", cwd=other)

    forge.git = FakeGitData(remote.objects)
    forge.pulls[1] = Pull(1, "https://x/pull/1", "feature", "octo-org/hello-world", "main")
    asked = comment("/codex hi", on_pull_request=True)
    report = run(workspace, forge, FakeAgent(acts=meanwhile), asked)

    assert report.conclusion is Conclusion.PUSHED, report.summary
    assert report.signed
    head = git("rev-parse", "refs/heads/feature", cwd=remote.bare).strip()
    assert head in remote.objects.signed
    assert remote.show("feature", "other.txt") == "other\n"  # kept, and built on
    assert remote.show("feature", "hello.txt") == "hi\n"
    assert forge.git.calls.count("ref") == 2  # refused once as no fast-forward, then moved


def test_binary_bytes_survive_the_api_exactly(
    workspace: Path, forge: FakeForge, remote: GitRemote
) -> None:
    data = bytes(range(256)) + b"\x00\r\n" * 10
    forge.git = FakeGitData(remote.objects)
    agent = FakeAgent(acts=lambda work: (work / "blob.bin").write_bytes(data))
    run(workspace, forge, agent, comment("/codex add a blob"))

    shown = subprocess.run(
        ["git", "show", f"refs/heads/{BRANCH}:blob.bin"], cwd=remote.bare, capture_output=True
    )
    assert shown.stdout == data


def made_on_the_forge(remote: GitRemote, workspace: Path, forge: FakeForge) -> MadeCommit:
    """The workspace's next commit made again by the forge, its branch moved there."""
    (workspace / "hello.txt").write_text("hi\n")
    repo = Repository(workspace)
    repo.run("add", "hello.txt")
    repo.run("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "Hi")
    forge.git = FakeGitData(remote.objects)
    made = signed_push.remake(repo, forge.git, repo.head())
    forge.git.move_branch("main", made.sha, force=False)
    return made


def test_the_forges_commit_is_rebuilt_locally_from_its_answer_without_a_fetch(
    workspace: Path, forge: FakeForge, remote: GitRemote
) -> None:
    made = made_on_the_forge(remote, workspace, forge)
    refused = git_credentials("ghs_not_the_remotes_token")  # a fetch would fail with it
    signed_push.adopt(Repository(workspace), "main", made, refused)

    assert git("rev-parse", "main", cwd=workspace).strip() == made.sha
    assert "gpgsig -----BEGIN PGP SIGNATURE-----" in git(
        "cat-file", "commit", made.sha, cwd=workspace
    )


def test_an_answer_that_does_not_hash_to_the_commit_is_not_trusted_it_is_fetched(
    workspace: Path, forge: FakeForge, remote: GitRemote
) -> None:
    made = made_on_the_forge(remote, workspace, forge)
    forged = replace(made, payload=(made.payload or "").replace("Hi", "Something else"))
    signed_push.adopt(Repository(workspace), "main", forged, git_credentials(TOKEN))

    assert git("rev-parse", "main", cwd=workspace).strip() == made.sha
    assert "Something else" not in git("log", "-1", "--format=%B", "main", cwd=workspace)


def test_an_object_planted_under_the_name_of_the_agents_file_never_reaches_the_branch(
    workspace: Path, forge: FakeForge, remote: GitRemote
) -> None:
    """Where the agent can write ``.git`` (no user of its own), it plants a loose object
    named after the bytes it then writes, but holding others: what is published is only
    ever bytes the diff guard read, and GitHub's tree must match the checked one."""
    wanted, planted = b"hello\n", b"planted by the agent\n"
    header = b"blob %d\0" % len(wanted)
    sha = hashlib.sha1(header + wanted).hexdigest()  # noqa: S324 - git's object name

    def plant(work: Path) -> None:
        (work / "hello.txt").write_bytes(wanted)
        loose = work / ".git/objects" / sha[:2] / sha[2:]
        loose.parent.mkdir(parents=True, exist_ok=True)
        loose.write_bytes(zlib.compress(b"blob %d\0" % len(planted) + planted))

    forge.git = FakeGitData(remote.objects)
    report = run(workspace, forge, FakeAgent(acts=plant), comment("/codex greet"))

    assert "commit" not in forge.git.calls  # GitHub's tree was not the checked one

    if report.conclusion is not Conclusion.FAILED:
        shown = subprocess.run(
            ["git", "show", f"refs/heads/{BRANCH}:hello.txt"], cwd=remote.bare,
            capture_output=True, check=True,
        )  # fmt: skip
        assert shown.stdout == wanted
    assert planted not in b"".join(
        remote.objects.read_blob(s)
        for line in git("rev-list", "--objects", "--all", cwd=remote.bare).splitlines()
        for s in line.split()[:1]
        if remote.objects.kind(s) == "blob"
    )
