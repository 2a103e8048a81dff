"""Every git command the bot runs goes through ``Repository._run``.

List arguments, never a shell; the mounted workspace accepted as a safe directory;
secrets redacted from every message; the token handed to the one command that
needs it, through the environment, never into ``.git/config``, a URL or a file.
"""

from __future__ import annotations

import base64
import logging
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import GitError

log = logging.getLogger("git")

_HINTS = {
    "Authentication failed": "Check that the token may push (contents: write).",
    "could not read Username": "The remote refused the token: check github_token.",
    "403": "The token may not push here: grant 'contents: write' under permissions:.",
    "refusing to allow": "Workflow files need a token with the 'workflows' permission.",
    "non-fast-forward": "The branch moved on the remote while the bot worked; run again.",
    "fetch first": "The branch moved on the remote while the bot worked; run again.",
    "not a git repository": "Point it at a git clone (in a workflow, run actions/checkout first).",
}


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


@dataclass(frozen=True)
class ConfigSnapshot:
    """Config file → its bytes before the agent worked (None: it did not exist)."""

    files: Mapping[Path, bytes | None]


@dataclass(frozen=True)
class Commit:
    sha: str
    branch: str
    files: tuple[str, ...]


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret, and the base64 form git would send, with ***."""
    for secret in secrets:
        if len(secret) < 4:
            continue
        encoded = base64.b64encode(f"x-access-token:{secret}".encode()).decode()
        text = text.replace(encoded, "***").replace(secret, "***")
    return text


class Repository:
    """A working tree with an ``origin`` remote.

    ``isolated`` (action mode) ignores the machine's global and system git config:
    while the agent works, Codex's commands can write ``~/.gitconfig``, and an
    ``insteadOf`` or ``fsmonitor`` there would reroute the push or run a command.
    """

    def __init__(self, path: Path, *, secrets: Sequence[str] = (), isolated: bool = False):
        self.path = path
        self._secrets = tuple(s for s in secrets if s)
        self._isolation = (
            {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull} if isolated else {}
        )

    def _run(
        self, *argv: str, env: Mapping[str, str] | None = None, allow_exit: int | None = None
    ) -> str:
        # No hook ever runs: the agent can write .git/hooks, and a hook run by the push
        # would see the token in its environment.
        command = [
            "git", "-c", f"safe.directory={self.path}", "-c", f"core.hooksPath={os.devnull}",
            *argv,
        ]  # fmt: skip
        full_env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            **self._isolation,
            **(env or {}),
        }
        try:
            done = subprocess.run(
                command,
                cwd=self.path,
                env=full_env,
                capture_output=True,
                encoding="utf-8",
                errors="replace",  # diffs of binary or Latin-1 files are not UTF-8
                check=False,
            )
        except OSError as exc:
            if not self.path.is_dir():
                raise GitError(f"{self.path} is not a folder.", hint="Check --repo.") from None
            raise GitError(f"git could not start: {exc}", hint="Install git.") from None
        if done.returncode not in (0, allow_exit):
            stderr = redact(done.stderr.strip() or done.stdout.strip(), self._secrets)
            hint = next((h for key, h in _HINTS.items() if key in stderr), "")
            raise GitError(f"'git {argv[0]}' failed: {stderr}", hint=hint)
        return done.stdout

    def remove_persisted_credentials(self) -> list[str]:
        """Drop auth headers that actions/checkout may have written to .git/config."""
        # Exit code 1 means no such key: nothing was persisted.
        found = self._run(
            "config",
            "--local",
            "--name-only",
            "--get-regexp",
            r"^http\..*extraheader$",
            allow_exit=1,
        )
        keys = sorted({line.strip() for line in found.splitlines() if line.strip()})
        for key in keys:
            self._run("config", "--local", "--unset-all", key)
        return keys

    def config_snapshot(self) -> ConfigSnapshot:
        """The repository's own config files, to put back after the agent has worked."""
        files = {}
        for name in ("config", "config.worktree"):
            path = self.path / self._run("rev-parse", "--git-path", name).strip()
            files[path] = path.read_bytes() if path.is_file() else None
        return ConfigSnapshot(files)

    def restore_config(self, snapshot: ConfigSnapshot) -> None:
        """Undo whatever the agent's commands wrote into the repository's config (a
        pushurl, an ``insteadOf``, an ``fsmonitor`` command) before git trusts it again.

        Plain file writes, no git: git itself would read the config being repaired.
        """
        for path, content in snapshot.files.items():
            current = path.read_bytes() if path.is_file() and not path.is_symlink() else None
            if current == content:
                continue
            log.warning("the agent changed %s; restoring it", path.name)
            path.unlink(missing_ok=True)  # a symlink is replaced, never followed
            if content is not None:
                path.write_bytes(content)

    def current_branch(self) -> str:
        return self._run("rev-parse", "--abbrev-ref", "HEAD").strip()

    def head(self) -> str:
        return self._run("rev-parse", "HEAD").strip()

    def reset_to(self, commit: str) -> None:
        """Back to ``commit`` with a clean tree (ignored files stay), between two tasks."""
        self._run("switch", "--quiet", "--force", "--detach", commit)
        self._run("clean", "--quiet", "--force", "-d")

    def changed_paths(self) -> list[str]:
        """Paths with uncommitted changes, untracked files included (one pass over the tree)."""
        out = self._run("status", "--porcelain=v1", "-z", "--untracked-files=all")
        paths: list[str] = []
        entries = iter(out.split("\0"))
        for entry in entries:
            if not entry:
                continue
            status, path = entry[:2], entry[3:]
            paths.append(path)
            if "R" in status or "C" in status:
                next(entries, None)  # the rename's source path follows
        return paths

    def stage_all(self) -> list[str]:
        """Stage every change; returns the staged paths."""
        self._run("add", "--all")
        out = self._run("diff", "--cached", "--name-only", "-z", "--no-renames")
        return [p for p in out.split("\0") if p]

    def staged_diff(self) -> str:
        return self._run("diff", "--cached", "--no-color", "--no-ext-diff", "--binary")

    def commit(self, branch: str, message: str, author: Identity, files: Sequence[str]) -> Commit:
        """Put the staged change on ``branch`` as one commit on top of HEAD, and check it out.

        Plumbing instead of ``switch`` + ``commit``: the index already holds the change,
        so nothing needs to walk the working tree again (it matters on large trees).
        """
        tree = self._run("write-tree").strip()
        sha = self._run(
            "-c", f"user.name={author.name}",
            "-c", f"user.email={author.email}",
            "commit-tree", tree, "-p", "HEAD", "-m", message,
        ).strip()  # fmt: skip
        self._run("update-ref", f"refs/heads/{branch}", sha)
        self._run("symbolic-ref", "HEAD", f"refs/heads/{branch}")
        return Commit(sha=sha, branch=branch, files=tuple(files))

    def _fetch(self, branch: str, token: str | None) -> None:
        self._run(
            "fetch",
            "--quiet",
            "--no-tags",
            "origin",
            f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
            env=self._auth_env(token),
        )

    def fetch_branch(self, branch: str, token: str | None) -> None:
        """Fetch ``branch`` from origin and check it out, to work on top of it."""
        self._fetch(branch, token)
        self._run("switch", "--quiet", "-C", branch, f"refs/remotes/origin/{branch}")

    def push(self, branch: str, token: str | None, *, force: bool = False) -> None:
        refspec = f"{'+' if force else ''}refs/heads/{branch}:refs/heads/{branch}"
        self._run("push", "--quiet", "--no-verify", "origin", refspec, env=self._auth_env(token))

    def delete_remote_branch(self, branch: str, token: str | None) -> None:
        self._run(
            "push", "--quiet", "--no-verify", "origin", f":refs/heads/{branch}",
            env=self._auth_env(token),
        )  # fmt: skip

    def push_rebasing(self, branch: str, token: str | None, committer: Identity) -> None:
        """Push; if the branch moved on the remote meanwhile, rebase once and push again."""
        try:
            self.push(branch, token)
            return
        except GitError as exc:
            if "moved on the remote" not in exc.hint:
                raise
        self._fetch(branch, token)
        try:
            self._run(
                "-c",
                f"user.name={committer.name}",
                "-c",
                f"user.email={committer.email}",
                "rebase",
                "--quiet",
                f"refs/remotes/origin/{branch}",
            )
        except GitError:
            self._run("rebase", "--abort", allow_exit=128)
            raise GitError(
                f"'{branch}' moved on the remote while the bot worked, and the change "
                "conflicts with the new commits.",
                hint="Comment again to redo the request on top of them.",
            ) from None
        self.push(branch, token)

    @staticmethod
    def _auth_env(token: str | None) -> dict[str, str]:
        """Git config for one command, through the environment, so nothing is persisted."""
        if not token:
            return {}
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        return {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
        }
