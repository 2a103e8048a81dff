"""The git funnel against real repositories and a real HTTP remote."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from bot import git_change, git_dir_guard
from bot.errors import GitError, UnsafeChange
from bot.git_text import hint_for, redact
from bot.github_api import git_credentials
from bot.gitrepo import Identity, Repository
from tests.action_rig import TOKEN
from tests.rig.git_remote import GitRemote, git

BOT = Identity("codex-pr-bot", "codex-pr-bot@users.noreply.github.com")


def commit_all(repo: Repository, tmp: Path, branch: str, message: str) -> str:
    """What the bot does after the agent: the change since HEAD, committed on ``branch``."""
    private = tmp / f"private-{branch.replace('/', '-')}-{message[:8]}"
    private.mkdir()
    base = git_change.baseline(repo, private, include_uncommitted=True)
    paths = git_change.changed_paths(repo, base)
    entries = git_change.read_entries(repo.path, paths)
    sha = git_change.write_commit(repo, base, entries, message, BOT)
    git_change.check_out(repo, base, branch, sha, git_change.diff(repo, base.commit, sha))
    return sha


def test_no_change_lists_nothing(checkout: Path, tmp_path: Path) -> None:
    repo = Repository(checkout)
    base = git_change.baseline(repo, tmp_path)
    assert git_change.changed_paths(repo, base) == []
    assert base.earlier == ()


def test_commit_and_push_with_token_leaves_no_credential(
    checkout: Path, remote: GitRemote, tmp_path: Path
) -> None:
    (checkout / "README.md").write_text("# Hello, World\n")
    (checkout / "docs").mkdir()
    (checkout / "docs" / "new.md").write_text("new\n")
    repo = Repository(checkout, secrets=[TOKEN])
    sha = commit_all(repo, tmp_path, "codex/issue-1", "Fix greeting\n\nBody.")
    repo.push("codex/issue-1", git_credentials(TOKEN))

    assert remote.branch_sha("codex/issue-1") == sha
    assert remote.show("codex/issue-1", "docs/new.md") == "new\n"
    assert remote.log("codex/issue-1").startswith(
        "codex-pr-bot <codex-pr-bot@users.noreply.github.com>\nFix greeting\n\nBody."
    )
    assert remote.commits_between("main", "codex/issue-1") == 1
    on_disk = "".join(p.read_text(errors="replace") for p in (checkout / ".git").glob("config*"))
    assert TOKEN not in on_disk
    encoded = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert encoded not in on_disk
    assert repo.current_branch() == "codex/issue-1"


def test_rejected_push_names_the_fix_and_not_the_token(
    checkout: Path, remote: GitRemote, tmp_path: Path
) -> None:
    (checkout / "x.txt").write_text("x\n")
    wrong = "ghs_wrong_token_that_must_not_leak_000"
    repo = Repository(checkout, secrets=[TOKEN])  # the credentials used are redacted too
    commit_all(repo, tmp_path, "codex/x", "x")
    with pytest.raises(GitError) as caught:
        repo.push("codex/x", git_credentials(wrong))
    message = str(caught.value)
    assert "'git push' failed" in message
    assert "github_token" in message
    assert wrong not in message
    assert base64.b64encode(f"x-access-token:{wrong}".encode()).decode() not in message
    assert remote.rejected >= 1
    assert remote.branch_sha("codex/x") is None


def test_push_is_fast_forward_unless_forced(
    checkout: Path, remote: GitRemote, tmp_path: Path
) -> None:
    repo = Repository(checkout, secrets=[TOKEN])
    (checkout / "a.txt").write_text("a\n")
    commit_all(repo, tmp_path, "codex/t", "a")
    repo.push("codex/t", git_credentials(TOKEN))
    git("switch", "-q", "-f", "main", cwd=checkout)
    (checkout / "b.txt").write_text("b\n")
    second = commit_all(repo, tmp_path, "codex/t", "b")
    with pytest.raises(GitError, match="moved on the remote"):
        repo.push("codex/t", git_credentials(TOKEN))
    repo.push("codex/t", git_credentials(TOKEN), force=True)
    assert remote.branch_sha("codex/t") == second


def test_fetch_branch_checks_out_a_pull_requests_head(checkout: Path, remote: GitRemote) -> None:
    git("branch", "feature", "main", cwd=remote.bare)
    repo = Repository(checkout, secrets=[TOKEN])
    repo.fetch_branch("feature", git_credentials(TOKEN))
    assert repo.current_branch() == "feature"


def test_persisted_checkout_credentials_are_removed(checkout: Path) -> None:
    header = "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:persisted").decode()
    git("config", "--local", "http.https://github.com/.extraheader", header, cwd=checkout)
    repo = Repository(checkout)
    assert repo.remove_persisted_credentials() == ["http.https://github.com/.extraheader"]
    assert "persisted" not in (checkout / ".git" / "config").read_text()
    assert "extraheader" not in (checkout / ".git" / "config").read_text()
    assert repo.remove_persisted_credentials() == []


def test_not_a_repository_says_to_check_out(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="actions/checkout"):
        Repository(tmp_path).current_branch()


def test_redact_hides_each_secret_even_one_inside_another() -> None:
    encoded = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    text = f"a {TOKEN} b {encoded} c {TOKEN}-suffix"
    assert redact(text, [TOKEN, f"{TOKEN}-suffix", encoded]) == "a *** b *** c ***"


def test_credentials_never_show_in_a_repr() -> None:
    assert TOKEN not in repr(git_credentials(TOKEN))


def test_git_dir_is_restored_even_when_the_agent_broke_it(checkout: Path, tmp_path: Path) -> None:
    repo = Repository(checkout)
    snapshot = git_dir_guard.take(checkout, *repo.pin())
    git_dir = checkout / ".git"
    config = git_dir / "config"
    original = config.read_bytes()
    config.write_text(config.read_text() + "[core\n")  # git itself cannot read this now
    (git_dir / "config.worktree").write_text('[remote "origin"]\n\tpushurl = /x\n')
    (git_dir / "hooks" / "pre-push").write_text("#!/bin/sh\nenv > /tmp/spy\n")
    (git_dir / "commondir").write_text("/elsewhere\n")
    (git_dir / "objects" / "info" / "alternates").write_text("/elsewhere/objects\n")
    (git_dir / "info" / "attributes").write_text("* -diff\n")

    changed = git_dir_guard.restore(snapshot)

    assert config.read_bytes() == original
    for planted in ("config.worktree", "hooks/pre-push", "commondir", "info/attributes"):
        assert not (git_dir / planted).exists(), planted
    assert not (git_dir / "objects" / "info" / "alternates").exists()
    assert len(changed) == 6
    config.unlink()
    outside = tmp_path / "outside"
    outside.write_text("not git's")
    config.symlink_to(outside)

    git_dir_guard.restore(snapshot)

    assert not config.is_symlink()
    assert config.read_bytes() == original
    assert outside.read_text() == "not git's"
    assert repo.current_branch() == "main"


def test_baseline_keeps_earlier_work_out_of_the_change(checkout: Path, tmp_path: Path) -> None:
    (checkout / "README.md").write_text("edited before the agent\n")
    (checkout / "notes.txt").write_text("left by an earlier step\n")
    repo = Repository(checkout)
    base = git_change.baseline(repo, tmp_path)
    assert sorted(base.earlier) == ["README.md", "notes.txt"]
    (checkout / "hello.txt").write_text("hi\n")  # the agent's own change

    assert git_change.changed_paths(repo, base) == ["hello.txt"]


@pytest.mark.parametrize("earlier", ["staged", "deleted", "untracked folder"])
def test_any_state_an_earlier_step_left_is_kept_out(
    checkout: Path, tmp_path: Path, earlier: str
) -> None:
    """The quick "nothing to record" check must see every kind of leftover: a file staged
    (the tree matches the index, not the commit), a deletion, a file in a new folder."""
    if earlier == "staged":
        (checkout / "README.md").write_text("staged by an earlier step\n")
        git("add", "README.md", cwd=checkout)
        path = "README.md"
    elif earlier == "deleted":
        (checkout / "README.md").unlink()
        path = "README.md"
    else:
        (checkout / "build" / "out").mkdir(parents=True)
        (checkout / "build" / "out" / "log.txt").write_text("made by an earlier step\n")
        path = "build/out/log.txt"
    repo = Repository(checkout)
    base = git_change.baseline(repo, tmp_path)
    assert base.earlier == (path,)
    (checkout / "hello.txt").write_text("hi\n")  # the agent's own change

    assert git_change.changed_paths(repo, base) == ["hello.txt"]


def test_include_uncommitted_starts_from_the_commit(checkout: Path, tmp_path: Path) -> None:
    (checkout / "README.md").write_text("edited before the agent\n")
    repo = Repository(checkout)
    base = git_change.baseline(repo, tmp_path, include_uncommitted=True)
    assert base.earlier == ()
    assert git_change.changed_paths(repo, base) == ["README.md"]


@pytest.mark.parametrize("make", ["hard link", "fifo", "inside .git"])
def test_files_the_bot_will_not_read_are_refused(checkout: Path, make: str) -> None:
    import os

    if make == "hard link":
        os.link(checkout / "README.md", checkout / "copy.md")
        path = "copy.md"
    elif make == "fifo":
        os.mkfifo(checkout / "pipe")
        path = "pipe"
    else:
        path = ".git/hooks/pre-push"
    with pytest.raises(UnsafeChange, match="will not read"):
        git_change.read_entries(checkout, [path])


def test_symlinks_are_entries_of_their_own_kind(checkout: Path) -> None:
    (checkout / "link").symlink_to("/etc/passwd")
    (checkout / "run.sh").write_text("#!/bin/sh\n")
    (checkout / "run.sh").chmod(0o755)
    entries = git_change.read_entries(checkout, ["link", "run.sh", "gone.txt"])
    assert [(e.path, e.mode) for e in entries] == [
        ("link", "120000"),
        ("run.sh", "100755"),
        ("gone.txt", None),
    ]


def test_a_refused_unsigned_push_is_explained_even_when_a_commit_id_contains_403() -> None:
    refused = (
        "remote: error: GH013: Repository rule violations found for refs/heads/codex/issue-1.\n"
        "remote: - Commits must have verified signatures.\n"
        "remote:   Found 1 violation: 4403a9c1e0\n"
        " ! [remote rejected] codex/issue-1 -> codex/issue-1 (push declined due to repository "
        "rule violations)\n"
    )
    assert hint_for(refused) == "The branch requires signed commits: leave sign_commits on."
    assert "contents: write" in hint_for(
        "fatal: unable to access 'http://127.0.0.1:40312/o/r/': "
        "The requested URL returned error: 403"
    )
    assert hint_for("fatal: pathspec 'a403b' did not match any files") == ""
