"""The bot's git work on a large repository against plain git, for a one-file change.

The repository (``files`` files in ``pkgNN/modNN/`` folders, four commits) is made once
per invocation with ``git fast-import``, served over HTTP with token auth by the rig's
git remote, and checked out once; every repetition starts from the same clean state.

The bot's side is exactly what ``bot/change.py`` and ``bot/workflow.py`` call on
``bot.gitrepo.Repository`` in the happy path — with signed commits (the default), the
commit made again through the GitHub fake's Git Data API on the same bare repository,
and fetched back; the plain side is ``git checkout -b && git add -A && git commit &&
git push``.
Processes and whole-tree passes come from git's own trace2 event stream.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.floor import auth_header
from benchmarks.pipeline import REPOSITORY, TOKEN
from benchmarks.util import git
from tests.rig.git_remote import GitRemote
from tests.rig.github_fake import GitHubFake

DIRS_PER_PACKAGE = 20
FILES_PER_DIR = 50


def _layout(files: int) -> list[str]:
    packages = max(1, files // (DIRS_PER_PACKAGE * FILES_PER_DIR))
    return [
        f"pkg{p:02d}/mod{m:02d}/file{f:03d}.py"
        for p in range(packages)
        for m in range(DIRS_PER_PACKAGE)
        for f in range(FILES_PER_DIR)
    ]


def _fast_import_stream(paths: list[str], commits: int) -> Iterator[bytes]:
    mark = 0
    for number in range(commits):
        # The first commit adds every file; later ones change a few hundred.
        touched = paths if number == 0 else paths[number * 7 :: max(1, len(paths) // 300)]
        lines = []
        for path in touched:
            mark += 1
            data = f'"""{path}, revision {number}."""\n\nVALUE = {mark}\n'.encode()
            yield b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data)
            lines.append(b"M 100644 :%d %s\n" % (mark, path.encode()))
        message = f"Commit {number}\n".encode()
        stamp = 1_700_000_000 + number * 3600
        yield (
            b"commit refs/heads/main\n"
            + b"author Maintainer <m@example.com> %d +0000\n" % stamp
            + b"committer Maintainer <m@example.com> %d +0000\n" % stamp
            + b"data %d\n%s" % (len(message), message)
            + b"".join(lines)
            + b"\n"
        )


@dataclass
class LargeRepo:
    root: Path
    files: int
    commits: int = 4
    remote: GitRemote = field(init=False)
    github: GitHubFake = field(init=False)
    workspace: Path = field(init=False)
    seconds_to_make: float = 0.0
    changed: str = ""  # the one file each repetition changes

    def __enter__(self) -> LargeRepo:
        started = time.perf_counter()
        self.remote = GitRemote(self.root / "remote", full_name=REPOSITORY, token=TOKEN)
        bare = self.remote.bare
        bare.parent.mkdir(parents=True)
        git("init", "-q", "--bare", "-b", "main", str(bare), cwd=str(self.root))
        paths = _layout(self.files)
        self.files = len(paths)
        self.changed = paths[len(paths) // 2 + 12]
        with subprocess.Popen(
            ["git", "fast-import", "--quiet"], cwd=bare, stdin=subprocess.PIPE
        ) as importer:
            assert importer.stdin is not None
            for chunk in _fast_import_stream(paths, self.commits):
                importer.stdin.write(chunk)
            importer.stdin.close()
            if importer.wait() != 0:
                raise RuntimeError("git fast-import failed")
        git("config", "http.receivepack", "true", cwd=str(bare))
        self.remote.start()
        owner, name = REPOSITORY.split("/")
        self.github = GitHubFake(
            owner=owner, repo=name, token=TOKEN, git_objects=self.remote.objects
        ).start()
        self.workspace = self.root / "workspace"
        git("clone", "-q", str(bare), str(self.workspace), cwd=str(self.root))
        git("remote", "set-url", "origin", self.remote.url, cwd=str(self.workspace))
        # actions/checkout leaves an index git has refreshed once; a fresh clone's index
        # is "racily clean" and would make the first command re-read every file.
        time.sleep(1.1)
        git("status", "--porcelain", cwd=str(self.workspace))
        self.seconds_to_make = time.perf_counter() - started
        return self

    def __exit__(self, *exc: object) -> None:
        self.github.stop()
        self.remote.stop()

    def reset(self, branch: str) -> None:
        """Back to ``main`` with the one-file change in the tree; ``branch`` gone everywhere."""
        ws = str(self.workspace)
        git("checkout", "-q", "-f", "main", cwd=ws)
        if git("branch", "--list", branch, cwd=ws).strip():
            git("branch", "-q", "-D", branch, cwd=ws)
        git("update-ref", "-d", f"refs/heads/{branch}", cwd=str(self.remote.bare))


def make_the_change(workspace: Path, changed: str) -> None:
    """What the agent does between the bot's two halves: one file edited."""
    file = workspace / changed
    file.write_text(file.read_text() + "\nGREETING = 'hello'\n")


def bot_git_work(repo_: LargeRepo, branch: str) -> None:
    """What the bot does to the repository around the agent, in the happy path: the
    baseline and the git directory's snapshot before it, then ``publish.commit_phase``,
    the git directory's restore and the push after it."""
    from bot import git_change, git_dir_guard
    from bot.gitrepo import Repository

    workspace, changed = repo_.workspace, repo_.changed
    from bot.publish import commit_phase
    from bot.settings import load_settings

    # As in action mode, git starts from the allow-listed variables the root passes on
    # (PATH among them, which finds the trace wrapper); older bots read os.environ.
    passed = {k: os.environ[k] for k in ("PATH", "HOME", "TMPDIR") if k in os.environ}
    try:
        repo = Repository(workspace, secrets=(TOKEN,), isolated=True, inherit=passed)
    except TypeError:
        repo = Repository(workspace, secrets=(TOKEN,), isolated=True)
    repo.remove_persisted_credentials()
    with tempfile.TemporaryDirectory() as private:
        base = git_change.baseline(repo, Path(private))
        guard = git_dir_guard.take(workspace, *repo.pin())
        make_the_change(workspace, changed)
        git_dir_guard.restore(guard)
        commit = commit_phase(
            load_settings({}),
            repo,
            base,
            branch=branch,
            message="Greet\n\nAdd a greeting.",
            co_author=None,
            secrets=[TOKEN],
        )
    if commit is None or list(commit.files) != [changed]:
        raise RuntimeError(f"unexpected commit: {commit}")
    auth: Any = TOKEN  # what a bot before the forge port took
    with suppress(ImportError):
        from bot.github_api import git_credentials

        auth = git_credentials(TOKEN)
    try:
        from bot import push
        from bot.github_api import GitHub
    except ImportError:  # a bot before signed commits
        repo.push(branch, auth, force=True)
        return
    forge = GitHub(api_url=repo_.github.api_url, repository=REPOSITORY, token=TOKEN)
    try:
        pushed = push.push(
            push.Channel(forge, repo, auth, sign=True), branch, force=True, check=_unused
        )
    finally:
        forge.close()
    if not pushed.signed:
        raise RuntimeError(f"the commit was not signed: {pushed.unsigned_because}")


def _unused(start: str, tip: str) -> None:
    raise RuntimeError("a new branch is never rebased")


def plain_git_work(repo: LargeRepo, branch: str) -> None:
    workspace, changed = repo.workspace, repo.changed
    ws = str(workspace)
    make_the_change(workspace, changed)
    git("checkout", "-q", "-b", branch, cwd=ws)
    git("add", "-A", cwd=ws)
    git(
        "-c",
        "user.name=plain",
        "-c",
        "user.email=plain@example.com",
        "commit",
        "-q",
        "-m",
        "Greet",
        cwd=ws,
    )
    git("-c", f"http.extraHeader={auth_header(TOKEN)}", "push", "-q", "origin", branch, cwd=ws)


WORK: dict[str, Callable[[LargeRepo, str], None]] = {"bot": bot_git_work, "plain": plain_git_work}


def timed(repo: LargeRepo, which: str, branch: str) -> float:
    repo.reset(branch)
    started = time.perf_counter()
    WORK[which](repo, branch)
    return time.perf_counter() - started


@contextmanager
def _trace2(path: Path) -> Iterator[None]:
    """GIT_TRACE2_EVENT for every git this process starts. The bot gives git an
    environment of its own, so its git is found through a wrapper first on PATH that
    sets the variable itself (the bot resolves git on PATH when it starts)."""
    wrapper = path.parent / f"{path.stem}-bin"
    wrapper.mkdir(exist_ok=True)
    real = shutil.which("git")
    script = wrapper / "git"
    script.write_text(f'#!/bin/sh\nGIT_TRACE2_EVENT="{path}" exec "{real}" "$@"\n')
    script.chmod(0o755)
    before = dict(os.environ)
    os.environ["GIT_TRACE2_EVENT"] = str(path)
    os.environ["PATH"] = f"{wrapper}:{os.environ.get('PATH', '')}"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


@dataclass
class GitProcess:
    sid: str
    argv: list[str]
    seconds: float = 0.0
    stat_passes: int = 0  # lstat() of every tracked file (index preload/refresh)
    dir_walks: int = 0  # read_directory over the whole working tree
    tree_walks: int = 0  # unpack_trees: the index compared entry by entry with a tree

    @property
    def passes(self) -> int:
        return self.stat_passes + self.dir_walks + self.tree_walks

    @property
    def command(self) -> str:
        args = [a for a in self.argv[1:] if not a.startswith(("user.", "http.", "safe."))]
        args = [a.split("\n", 1)[0] for a in args if a != "-c"]
        text = " ".join([Path(self.argv[0]).name, *args])
        return text if len(text) <= 60 else text[:59] + "…"

    @property
    def top_level(self) -> bool:
        return "/" not in self.sid


def traced(repo: LargeRepo, which: str, branch: str) -> list[GitProcess]:
    """One untimed run under trace2: every git process and its whole-tree passes."""
    repo.reset(branch)
    trace = repo.root / f"trace2-{which}.json"
    trace.unlink(missing_ok=True)
    with _trace2(trace):
        WORK[which](repo, branch)
    return parse_trace2(trace, files=repo.files)


def parse_trace2(path: Path, *, files: int) -> list[GitProcess]:
    procs: dict[str, GitProcess] = {}
    index_size: dict[str, int] = {}
    directories = files // FILES_PER_DIR
    for line in path.read_text().splitlines():
        event = json.loads(line)
        sid, kind = event["sid"], event["event"]
        if kind == "start":
            if "--exec-path" not in event["argv"]:  # the rig's remote, not the client
                procs[sid] = GitProcess(sid, event["argv"])
            continue
        proc = procs.get(sid)
        if proc is None:
            continue
        if kind == "exit":
            proc.seconds = float(event.get("t_abs", 0.0))
        elif kind == "region_enter" and event.get("category") == "unpack_trees":
            if event.get("label") == "unpack_trees":
                proc.tree_walks += 1
        elif kind == "data":
            key, value = event.get("key", ""), str(event.get("value", ""))
            if key == "read/cache_nr":
                index_size[sid] = int(value)
            elif key in ("preload/sum_lstat", "refresh/sum_lstat"):
                if int(value) >= 0.5 * index_size.get(sid, files):
                    proc.stat_passes += 1
            elif key == "directories-visited" and int(value) >= 0.5 * directories:
                proc.dir_walks += 1
    return list(procs.values())
