"""A tree built on top of another the way GitHub's `POST /git/trees` with `base_tree` does:
only the folders on the way to a changed path are read and written again, one level at a
time (`git ls-tree`, `git mktree`), so a one-file change to a 50,000-file tree costs a
handful of small git commands — as it costs GitHub little, and unlike an index of every
file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# (mode, type, sha) of one name in a folder.
Item = tuple[str, str, str]
# Runs git in the repository: (argv, stdin) -> stdout.
Git = Callable[[tuple[str, ...], bytes | None], str]


class Missing(Exception):
    """A path to delete that the tree does not have."""


@dataclass
class Folder:
    sha: str | None  # as it was; None for a new one
    items: dict[str, Item] | None = None  # read on first use
    changed: dict[str, Folder] = field(default_factory=dict)

    def read(self, git: Git) -> dict[str, Item]:
        if self.items is None:
            self.items = {}
            if self.sha is not None:
                for line in git(("ls-tree", "-z", self.sha), None).split("\0"):
                    if line:
                        info, _, name = line.partition("\t")
                        mode, kind, sha = info.split()
                        self.items[name] = (mode, kind, sha)
        return self.items

    def folder(self, name: str, git: Git, *, create: bool) -> Folder:
        """The sub-folder ``name``; a file there gives way to a new folder if ``create``."""
        if name in self.changed:
            return self.changed[name]
        item = self.read(git).get(name)
        if item is not None and item[1] == "tree":
            found = Folder(item[2])
        elif create:
            found = Folder(None)
        else:
            raise Missing(name)
        self.changed[name] = found
        return found

    def write(self, git: Git) -> str | None:
        """The folder's new sha; None when it ended up empty (git keeps no empty folder)."""
        items = self.read(git)
        for name, sub in self.changed.items():
            sha = sub.write(git)
            if sha is None:
                items.pop(name, None)
            else:
                items[name] = ("040000", "tree", sha)
        if not items:
            return None
        listing = "".join(f"{m} {k} {s}\t{n}\0" for n, (m, k, s) in sorted(items.items()))
        return git(("mktree", "-z"), listing.encode()).strip()


def build(git: Git, base: str | None, changes: list[tuple[str, Item | None]]) -> str:
    """``base`` (None: empty) with each (path, item) set, or deleted when the item is None;
    the new tree's sha. ``Missing`` when a path to delete is not there."""
    root = Folder(base)
    for path, item in changes:
        *parents, name = path.split("/")
        here = root
        for part in parents:
            here = here.folder(part, git, create=item is not None)
        items = here.read(git)
        was_folder = here.changed.pop(name, None) is not None  # replaced, with what is under it
        if item is None:
            if name not in items and not was_folder:
                raise Missing(path)
            items.pop(name, None)
        else:
            items[name] = item
    return root.write(git) or git(("mktree", "-z"), b"").strip()
