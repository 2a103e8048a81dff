"""A throwaway copy of the checked-out tree, for work that must not touch the workspace.

``git archive HEAD`` streamed into ``dest`` (no ``.git`` of the workspace comes along),
then a fresh repository there, so the agent's phase can run on it as on a workspace.
"""

from __future__ import annotations

import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.errors import GitError
from bot.gitrepo import Repository


def throwaway_copy(
    repo: Repository, dest: Path, *, secrets: Sequence[str], inherit: Mapping[str, str]
) -> Repository:
    dest.mkdir()
    with repo.stream("archive", "--format=tar", "HEAD") as (stdin, stdout):
        stdin.close()
        try:
            with tarfile.open(fileobj=stdout, mode="r|") as tar:
                tar.extractall(dest, filter="data")
        except tarfile.TarError as exc:
            raise GitError(f"The repository could not be copied: {exc}.") from None
    copy = Repository(dest, secrets=secrets, isolated=True, inherit=inherit)
    copy.run("init", "--quiet")
    return copy
