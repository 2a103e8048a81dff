"""Every git command the bot runs goes through ``Repository``'s funnel.

List arguments, never a shell; git by the absolute path found before the agent ran,
with an environment the bot builds and the repository's directories pinned, so
nothing the agent planted (a ``git`` on PATH, a ``.git`` file pointing elsewhere,
hooks) takes part; secrets redacted from every message; the token handed to the one
command that needs it, through the environment, never into ``.git/config``, a URL
or a file.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot.errors import BranchMoved, GitError
from bot.forge import HttpCredentials
from bot.git_text import hint_for, redact

log = logging.getLogger("git")

_SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


def _feed(process: subprocess.Popen[bytes], chunks: Iterable[bytes]) -> None:
    assert process.stdin is not None
    try:
        for chunk in chunks:
            process.stdin.write(chunk)
    except BrokenPipeError:
        pass  # git stopped reading; its exit code and stderr say why
    except BaseException:
        process.kill()  # the input could not be made: git must not commit half of it
        raise
    finally:
        with suppress(BrokenPipeError):
            process.stdin.close()


def _owner_to_act_as(path: Path) -> tuple[int, int] | None:
    """As root, git runs as the owner of the working tree (the runner's user, for the
    container action), so everything git writes stays that user's: the job's later
    steps can still use the repository, and nothing the agent's user could reach runs
    as root."""
    if os.geteuid() != 0:
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    return None if info.st_uid == 0 else (info.st_uid, info.st_gid)


def _find_git(search_path: str) -> str:
    found = shutil.which("git", path=f"{search_path}:{_SAFE_PATH}")
    if found is None:
        raise GitError("git is not installed.", hint="Install git.")
    return os.path.realpath(found)


class Repository:
    """A working tree with an ``origin`` remote.

    ``isolated`` (action mode) gives git only the environment it needs and ignores the
    machine's global and system config: Codex's commands can write ``~/.gitconfig``,
    and an ``insteadOf`` or ``fsmonitor`` there would reroute the push or run a command.
    """

    def __init__(
        self,
        path: Path,
        *,
        secrets: Sequence[str] = (),
        isolated: bool = False,
        inherit: Mapping[str, str] | None = None,
    ):
        self.path = path.absolute()
        self._secrets = tuple(s for s in secrets if s)
        self._isolated = isolated
        # What git may start from, chosen by the composition root (local mode passes the
        # user's: credential helpers and ssh agents live there).
        self._inherit = dict(inherit or {})
        self._git = _find_git(self._inherit.get("PATH", ""))
        self._dirs: tuple[Path, Path] | None = None
        self._owner = _owner_to_act_as(self.path)

    def _as_owner(self) -> dict[str, Any]:
        if self._owner is None:
            return {}
        return {"user": self._owner[0], "group": self._owner[1], "extra_groups": []}

    def give(self, path: Path) -> None:
        """Hand ``path``, made by the bot for git, to the user git runs as."""
        if self._owner is not None:
            os.chown(path, *self._owner)

    # ---- the funnel -------------------------------------------------------------------
    def _env(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        if self._isolated:
            keep = {k: v for k, v in self._inherit.items() if k in ("HOME", "TMPDIR", "TZ")}
            base = {**keep, "PATH": _SAFE_PATH, "GIT_CONFIG_NOSYSTEM": "1"}
            base["GIT_CONFIG_GLOBAL"] = os.devnull
        else:
            base = {k: v for k, v in self._inherit.items() if not k.startswith("GIT_")}
        return {**base, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(extra or {})}

    def _argv(self, argv: Sequence[str]) -> list[str]:
        # No hook ever runs: the agent can write .git/hooks, and a hook run by the push
        # would see the token in its environment.
        pinned = []
        if self._dirs is not None:
            git_dir, _ = self._dirs
            pinned = [f"--git-dir={git_dir}", f"--work-tree={self.path}"]
        return [
            self._git, *pinned, "-c", f"safe.directory={self.path}",
            "-c", f"core.hooksPath={os.devnull}", "-c", "core.fsmonitor=false", *argv,
        ]  # fmt: skip

    def _fail(self, argv: Sequence[str], stderr: str) -> GitError:
        stderr = redact(stderr.strip(), self._secrets)
        return GitError(f"'git {argv[0]}' failed: {stderr}", hint=hint_for(stderr))

    def run(
        self,
        *argv: str,
        env: Mapping[str, str] | None = None,
        allow_exit: int | None = None,
        stdin: Iterable[bytes] | None = None,
    ) -> str:
        """Run one git command; its stdout (UTF-8, undecodable bytes kept as escapes).

        ``stdin`` is streamed in; git's output goes to files meanwhile, so neither side
        can block the other however much each writes.
        """
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            try:
                process = subprocess.Popen(
                    self._argv(argv),
                    cwd=self.path,
                    env=self._env(env),
                    stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    **self._as_owner(),
                )
            except OSError as exc:
                if not self.path.is_dir():
                    raise GitError(f"{self.path} is not a folder.", hint="Check --repo.") from None
                raise GitError(f"git could not start: {exc}", hint="Install git.") from None
            if process.stdin is not None:
                _feed(process, stdin or ())
            process.wait()
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if process.returncode not in (0, allow_exit):
            raise self._fail(
                argv, stderr.decode(errors="replace") or stdout.decode(errors="replace")
            )
        return stdout.decode("utf-8", errors="surrogateescape")

    @contextmanager
    def stream(self, *argv: str) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
        """A long-running git command fed and read by the caller (``cat-file --batch``)."""
        process = subprocess.Popen(
            self._argv(argv),
            cwd=self.path,
            env=self._env(None),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            **self._as_owner(),
        )
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            yield process.stdin, process.stdout
        finally:
            process.stdin.close()
            process.stdout.close()
            process.wait()

    def pin(self) -> tuple[Path, Path]:
        """Resolve the git directories now, before the agent, and use them from then on.

        Returns (git dir, common dir). A ``.git`` file or ``commondir`` the agent
        writes later cannot send the bot's git commands elsewhere.
        """
        if self._dirs is None:
            out = self.run("rev-parse", "--absolute-git-dir", "--git-common-dir").splitlines()
            git_dir = Path(out[0])
            common = Path(out[1]) if Path(out[1]).is_absolute() else self.path / out[1]
            self._dirs = (git_dir, common.resolve())
        return self._dirs

    # ---- branches and the remote ------------------------------------------------------
    def remove_persisted_credentials(self) -> list[str]:
        """Drop auth headers that actions/checkout may have written to .git/config."""
        # Exit code 1 means no such key: nothing was persisted.
        found = self.run(
            "config", "--local", "--name-only", "--get-regexp", r"^http\..*extraheader$",
            allow_exit=1,
        )  # fmt: skip
        keys = sorted({line.strip() for line in found.splitlines() if line.strip()})
        for key in keys:
            self.run("config", "--local", "--unset-all", key)
        return keys

    def current_branch(self) -> str:
        return self.run("rev-parse", "--abbrev-ref", "HEAD").strip()

    def head(self) -> str:
        return self.run("rev-parse", "HEAD").strip()

    def reset_to(self, commit: str) -> None:
        """Back to ``commit`` with a clean tree (ignored files stay), between two tasks."""
        self.run("switch", "--quiet", "--force", "--detach", commit)
        self.run("clean", "--quiet", "--force", "-d")

    def fetch(self, ref: str, into: str, auth: HttpCredentials | None, depth: int = 0) -> None:
        """Origin's ``ref`` into the local ref ``into`` (``depth`` commits of it, 0: all)."""
        shallow = [f"--depth={depth}"] if depth else []
        env = self._auth_env(auth)
        self.run("fetch", "--quiet", "--no-tags", *shallow, "origin", f"+{ref}:{into}", env=env)

    def fetch_branch(self, branch: str, auth: HttpCredentials | None) -> None:
        """Fetch ``branch`` from origin and check it out, to work on top of it."""
        self.fetch(f"refs/heads/{branch}", f"refs/remotes/origin/{branch}", auth)
        self.run("switch", "--quiet", "-C", branch, f"refs/remotes/origin/{branch}")

    def push(self, branch: str, auth: HttpCredentials | None, *, force: bool = False) -> None:
        """Push ``branch``; ``BranchMoved`` when it is not a fast-forward of origin's."""
        refspec = f"{'+' if force else ''}refs/heads/{branch}:refs/heads/{branch}"
        try:
            self.run("push", "--quiet", "--no-verify", "origin", refspec, env=self._auth_env(auth))
        except GitError as exc:
            if "moved on the remote" in exc.hint:
                raise BranchMoved(exc.message) from None
            raise

    def delete_remote_branch(self, branch: str, auth: HttpCredentials | None) -> None:
        self.run(
            "push", "--quiet", "--no-verify", "origin", f":refs/heads/{branch}",
            env=self._auth_env(auth),
        )  # fmt: skip

    def rebase_onto_remote(
        self, branch: str, auth: HttpCredentials | None, committer: Identity
    ) -> str:
        """Replay the local commits of ``branch`` on origin's, fetched now; origin's tip."""
        remote = f"refs/remotes/origin/{branch}"
        self.fetch(f"refs/heads/{branch}", remote, auth)
        try:
            self.run(
                "-c", f"user.name={committer.name}", "-c", f"user.email={committer.email}",
                "rebase", "--quiet", remote,
            )  # fmt: skip
        except GitError:
            self.run("rebase", "--abort", allow_exit=128)
            raise GitError(
                f"'{branch}' moved on the remote while the bot worked, and the change "
                "conflicts with the new commits.",
                hint="Comment again to redo the request on top of them.",
            ) from None
        return self.run("rev-parse", remote).strip()

    def _auth_env(self, auth: HttpCredentials | None) -> dict[str, str]:
        """Git config for one command, through the environment, so nothing is persisted."""
        if auth is None:
            return {}
        basic = base64.b64encode(f"{auth.user}:{auth.secret}".encode()).decode()
        # What git could echo of the header is redacted like the secret itself.
        self._secrets = tuple(dict.fromkeys((*self._secrets, auth.secret, basic)))
        return {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
        }
