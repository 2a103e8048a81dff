"""Throwaway copies, for work that must not touch the workspace.

``git archive`` streamed into ``dest`` (no ``.git`` of the workspace comes along), then a
fresh repository there, so the agent's phase can run on it as on a workspace. A pull
request's head is fetched into a repository of its own, never into the workspace's,
and a stranger's files are read from git's objects, never checked out: a symlink stays
a name, and nothing of theirs is where a tool would load it from.
"""

from __future__ import annotations

import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.errors import GitError
from bot.forge import HttpCredentials
from bot.gitrepo import Repository

# The ref a pull request's head is fetched into, in its own repository.
HEAD_REF = "refs/review/head"
_REGULAR_FILES = ("100644", "100755")


def throwaway_copy(
    repo: Repository,
    dest: Path,
    *,
    secrets: Sequence[str],
    inherit: Mapping[str, str],
    commit: str = "HEAD",
) -> Repository:
    dest.mkdir()
    with repo.stream("archive", "--format=tar", commit) as (stdin, stdout):
        stdin.close()
        try:
            with tarfile.open(fileobj=stdout, mode="r|") as tar:
                tar.extractall(dest, filter="data")
        except tarfile.TarError as exc:
            raise GitError(f"The repository could not be copied: {exc}.") from None
    copy = Repository(dest, secrets=secrets, isolated=True, inherit=inherit)
    copy.run("init", "--quiet")
    return copy


def fetched_pull_head(
    repo: Repository,
    dest: Path,
    number: int,
    auth: HttpCredentials | None,
    *,
    secrets: Sequence[str],
    inherit: Mapping[str, str],
) -> tuple[Repository, str]:
    """Pull request ``number``'s head (``refs/pull/N/head``, a fork's too) in a new
    repository at ``dest``, with no working tree; and its commit."""
    origin = repo.run("remote", "get-url", "origin").strip()
    dest.mkdir()
    head = Repository(dest, secrets=secrets, isolated=True, inherit=inherit)
    head.run("init", "--quiet", "--bare")
    head.run("remote", "add", "origin", origin)
    # Only its tree is read: a history pushed to eat the deadline is not downloaded.
    head.fetch(f"refs/pull/{number}/head", HEAD_REF, auth, depth=1)
    return head, head.run("rev-parse", HEAD_REF).strip()


def file_texts(
    repo: Repository, commit: str, paths: Sequence[str], limit: int, total: int
) -> dict[str, str]:
    """The text of each regular file among ``paths`` at ``commit``, from git's objects,
    until ``total`` bytes were read.

    Symlinks, submodules, binary files and files over ``limit`` bytes are left out.
    """
    wanted = set(paths)
    if not wanted:
        return {}
    # The whole tree, filtered here: thousands of names would not fit on a command line,
    # and a name like "*" or ":(top)x" is then never taken for a pattern.
    found: dict[str, tuple[str, int]] = {}
    for entry in filter(None, repo.run("ls-tree", "-r", "-z", "-l", commit).split("\0")):
        info, _, path = entry.partition("\t")
        if path in wanted:
            mode, kind, obj, length = info.split()
            if mode in _REGULAR_FILES and kind == "blob" and int(length) <= limit:
                found[path] = (obj, int(length))
    texts: dict[str, str] = {}
    for path in (p for p in paths if p in found):
        obj, size = found[path]
        if size > total:
            break
        total -= size
        text = repo.run("cat-file", "blob", obj)
        # Undecodable bytes come back as surrogate escapes: a binary file.
        if "\0" not in text and not any("\udc80" <= ch <= "\udcff" for ch in text):
            texts[path] = text
    return texts
