"""What the agent changed, computed and committed by the bot itself.

Nothing the agent can write in ``.git`` is trusted: not its commits, refs or index.
Before the agent starts, the bot records the working tree as a tree of its own
(``Baseline``: the starting commit, plus whatever earlier steps of the job left
uncommitted), with a private index. Afterwards git lists the paths that differ from
that baseline; the bot reads each one itself — regular files without following a
symlink, symlinks as links, anything else refused — and writes one commit on top
of the starting commit with ``git fast-import``. What earlier steps changed is left
out unless the agent changed the same file.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.errors import UnsafeChange
from bot.gitrepo import Identity, Repository

_CHUNK = 1 << 20
# Stat checks that ignore owner and ctime: the bot hands the tree to the agent's user
# and back, which changes both for every file without changing any content.
_MINIMAL_STAT = ("-c", "core.checkStat=minimal", "-c", "core.trustctime=false")


@dataclass(frozen=True)
class Baseline:
    commit: str  # the commit the change goes on top of
    tree: str  # the working tree just before the agent started
    index: Path  # a private index of ``tree`` with the file stats of that moment
    earlier: tuple[str, ...]  # paths earlier steps had changed, left out of the change


@dataclass(frozen=True)
class Entry:
    """One path of the change: its new mode, or None when it was deleted."""

    path: str
    mode: str | None  # "100644", "100755", "120000"


def baseline(repo: Repository, private: Path, *, include_uncommitted: bool = False) -> Baseline:
    """Record the working tree as it is now, in ``private`` (a folder only the bot uses).

    ``include_uncommitted``: the baseline is the starting commit itself, so whatever is
    uncommitted now becomes part of the change.
    """
    git_dir, _ = repo.pin()
    repo.give(private)
    index = private / "index"
    env = {"GIT_INDEX_FILE": str(index)}
    commit, start_tree = repo.run("rev-parse", "HEAD", "HEAD^{tree}").split()
    if (git_dir / "index").is_file():
        shutil.copyfile(git_dir / "index", index)
        repo.give(index)
    else:
        repo.run("read-tree", commit, env=env)
    if include_uncommitted:
        # A one-tree merge keeps the stat data of entries that match, so later
        # comparisons need not read every file again.
        repo.run("read-tree", "-m", commit, env=env)
        return Baseline(commit, start_tree, index, ())
    # Usually the workspace is the checked-out commit: one status pass shows it (and
    # writes the refreshed stats into the private index), and the baseline's tree is the
    # commit's without writing a tree of 50,000 entries. Anything else — untracked,
    # modified, a submodule moved — takes the full path.
    if not repo.run("status", "--porcelain=v1", "-z", "--untracked-files=normal", env=env):
        return Baseline(commit, start_tree, index, ())
    repo.run("add", "--all", env=env)
    tree = repo.run("write-tree", env=env).strip()
    earlier: list[str] = []
    if tree != start_tree:
        out = repo.run("diff-tree", "-r", "-z", "--name-only", "--no-renames", commit, tree)
        earlier = [path for path in out.split("\0") if path]
    return Baseline(commit, tree, index, tuple(earlier))


def changed_paths(repo: Repository, base: Baseline) -> list[str]:
    """Paths whose state in the working tree differs from the baseline (one pass)."""
    out = repo.run(
        *_MINIMAL_STAT, "status", "--porcelain=v1", "-z", "--untracked-files=all",
        "--no-renames", "--ignore-submodules=all",
        env={"GIT_INDEX_FILE": str(base.index)},
    )  # fmt: skip
    paths = []
    for entry in out.split("\0"):
        if len(entry) > 3 and (entry[1] != " " or entry[:2] == "??"):
            paths.append(entry[3:])
    return paths


def read_entries(work_tree: Path, paths: Sequence[str]) -> list[Entry]:
    """Classify each changed path from the file system, never following a symlink.

    FIFOs, sockets and devices are refused, and so is a file with more than one name:
    a hard link can point at a file outside the workspace that the bot, unlike the
    agent, may read.
    """
    entries, refused = [], []
    for path in paths:
        if path.endswith("/"):
            continue  # a nested repository: never part of the change, as git would add it
        if any(part.lower() in (".git", "") for part in path.split("/")):
            refused.append(f"{path} (inside .git)")
            continue
        try:
            info = os.lstat(work_tree / path)
        except FileNotFoundError:
            entries.append(Entry(path, None))
            continue
        except NotADirectoryError:
            entries.append(Entry(path, None))
            continue
        if stat.S_ISLNK(info.st_mode):
            entries.append(Entry(path, "120000"))
        elif not stat.S_ISREG(info.st_mode):
            refused.append(f"{path} (not a regular file)")
        elif info.st_nlink > 1:
            refused.append(f"{path} (a hard link)")
        else:
            executable = info.st_mode & stat.S_IXUSR
            entries.append(Entry(path, "100755" if executable else "100644"))
    if refused:
        raise UnsafeChange(
            "Nothing was pushed: the change holds files the bot will not read: "
            + ", ".join(refused[:20])
            + (f" and {len(refused) - 20} more" if len(refused) > 20 else "")
            + ".",
            hint="Only regular files and symbolic links can be part of a change.",
        )
    return entries


def _quote(path: str) -> bytes:
    raw = os.fsencode(path)
    escaped = raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n")
    return b'"' + escaped + b'"'


def _content(work_tree: Path, entry: Entry) -> Iterator[bytes]:
    """``data <n>`` and the bytes of one path, read without following symlinks."""
    full = work_tree / entry.path
    if entry.mode == "120000":
        target = os.fsencode(os.readlink(full))
        yield b"data %d\n%s\n" % (len(target), target)
        return
    descriptor = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise UnsafeChange(f"Nothing was pushed: {entry.path} is not a regular file.")
        yield b"data %d\n" % size
        left = size
        while left:
            chunk = file.read(min(_CHUNK, left))
            if not chunk:
                raise UnsafeChange(f"Nothing was pushed: {entry.path} changed while read.")
            left -= len(chunk)
            yield chunk
        yield b"\n"


def _import_stream(
    work_tree: Path, base: Baseline, ref: str, entries: Sequence[Entry], message: str,
    author: Identity,
) -> Iterator[bytes]:  # fmt: skip
    stamp = f"{int(time.time())} +0000"
    who = f"{author.name} <{author.email}> {stamp}".encode()
    text = message.rstrip("\n").encode() + b"\n"  # as `git commit` writes it
    yield b"feature done\ncommit %s\nmark :1\n" % ref.encode()
    yield b"author %s\ncommitter %s\ndata %d\n%s\n" % (who, who, len(text), text)
    yield b"from %s\n" % base.commit.encode()
    for entry in entries:
        if entry.mode is None:
            yield b"D %s\n" % _quote(entry.path)
        else:
            yield b"M %s inline %s\n" % (entry.mode.encode(), _quote(entry.path))
            yield from _content(work_tree, entry)
    yield b"\ndone\n"


# Where the new commit waits until it is checked and checked out (or discarded).
_PENDING = "refs/codex-pr-bot/pending"


def write_commit(
    repo: Repository, base: Baseline, entries: Sequence[Entry], message: str, author: Identity
) -> str:
    """One commit on top of ``base.commit`` holding exactly ``entries``; its sha."""
    marks = base.index.parent / "marks"
    stream = _import_stream(repo.path, base, _PENDING, entries, message, author)
    repo.run("fast-import", "--quiet", "--force", "--done", f"--export-marks={marks}", stdin=stream)
    return marks.read_text().split()[1]


def discard_commit(repo: Repository) -> None:
    """Forget a commit ``write_commit`` made that will not be checked out."""
    repo.run("update-ref", "-d", _PENDING)


@dataclass(frozen=True)
class Diff:
    """The paths a commit changes against its starting point."""

    entries: tuple[tuple[str, str, str], ...]  # (path, mode, sha), added or modified
    deleted: tuple[str, ...]

    @property
    def written(self) -> tuple[str, ...]:
        return tuple(path for path, _, _ in self.entries)

    @property
    def touched(self) -> tuple[str, ...]:
        return self.written + self.deleted

    @property
    def blobs(self) -> tuple[tuple[str, str], ...]:
        """(path, sha) of every written file; a submodule's commit is not a blob."""
        return tuple((path, sha) for path, mode, sha in self.entries if mode != "160000")


def diff(repo: Repository, start: str, commit: str) -> Diff:
    out = repo.run("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", start, commit)
    fields = out.split("\0")
    deleted, entries = [], []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(":"):
            continue
        _, new_mode, _, new_sha, status = meta[1:].split(" ")
        if status == "D":
            deleted.append(path)
            continue
        entries.append((path, new_mode, new_sha))
    return Diff(tuple(entries), tuple(deleted))


def check_out(repo: Repository, base: Baseline, branch: str, sha: str, change: Diff) -> None:
    """Make ``sha`` the checked-out commit of ``branch``, over the working tree as it is.

    The index becomes the baseline's private one — whose file stats ``changed_paths``
    just refreshed — with the change applied, and with what earlier steps changed set
    back to the commit's state: the tree then shows as clean on that commit without
    another pass over every file.
    """
    git_dir, _ = repo.pin()
    records = [f"{mode} {blob}\t{path}" for path, mode, blob in change.entries]
    records += [f"0 {'0' * 40}\t{path}" for path in change.deleted]
    if base.earlier:
        out = repo.run("ls-tree", "-z", "--full-tree", sha, "--", *base.earlier)
        kept = dict(line.split("\t", 1)[::-1] for line in out.split("\0") if line)
        for path in base.earlier:
            if path in kept:
                mode, _, blob = kept[path].split(" ")
                records.append(f"{mode} {blob}\t{path}")
            else:
                records.append(f"0 {'0' * 40}\t{path}")
    env = {"GIT_INDEX_FILE": str(base.index)}
    stream = [os.fsencode(record) + b"\0" for record in records]
    repo.run("update-index", "-z", "--index-info", env=env, stdin=stream)
    staged = git_dir / "index.codex-pr-bot"
    shutil.copyfile(base.index, staged)
    repo.give(staged)
    os.replace(staged, git_dir / "index")
    moves = [f"update refs/heads/{branch} {sha}\n", f"delete {_PENDING}\n"]
    repo.run("update-ref", "--stdin", stdin=[line.encode() for line in moves])
    repo.run("symbolic-ref", "HEAD", f"refs/heads/{branch}")


def blob_chunks(repo: Repository, blobs: Sequence[tuple[str, str]]) -> Iterator[
    tuple[str, Iterator[bytes]]
]:  # fmt: skip
    """Each blob's bytes, streamed from one ``git cat-file --batch`` in bounded chunks."""
    with repo.stream("cat-file", "--batch") as (stdin, stdout):
        for path, sha in blobs:
            stdin.write(sha.encode() + b"\n")
            stdin.flush()
            header = stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise UnsafeChange(f"Nothing was pushed: git cannot read {path!r} back.")
            yield path, _read_exactly(stdout, int(header[2]))
            stdout.read(1)  # the newline after each object


def _read_exactly(stream: IO[bytes], size: int) -> Iterator[bytes]:
    left = size
    while left:
        chunk = stream.read(min(_CHUNK, left))
        if not chunk:
            raise UnsafeChange("Nothing was pushed: git's output ended early.")
        left -= len(chunk)
        yield chunk
