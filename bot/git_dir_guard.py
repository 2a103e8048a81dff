"""The git directory as it was before the agent, put back exactly afterwards.

Where the agent runs as the bot's own user it can write ``.git``: a hook planted
there would run in the job's later steps, a ``commondir``, ``alternates`` or config
entry would redirect git. So everything in the git directories except the object
store's content (new objects are inert; existing ones are checked by their hash
wherever they go) is recorded before the agent starts and restored after it:
changed files are rewritten, new ones removed, removed ones recreated. Plain file
operations, no git: git would read what is being repaired. Symlinks are never
followed.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("bot")


@dataclass
class GitDirSnapshot:
    roots: tuple[Path, ...]
    files: dict[Path, tuple[bytes, int]] = field(default_factory=dict)  # content, mode
    owners: dict[Path, tuple[int, int]] = field(default_factory=dict)
    links: dict[Path, str] = field(default_factory=dict)
    dirs: set[Path] = field(default_factory=set)
    pointer: tuple[Path, bytes] | None = None  # a ".git" file in the work tree


def _skipped(path: Path, root: Path) -> bool:
    """Object content is not recorded: packs and loose objects, but not objects/info."""
    parts = path.relative_to(root).parts
    return len(parts) >= 2 and parts[0] == "objects" and parts[1] != "info"


def take(work_tree: Path, *roots: Path) -> GitDirSnapshot:
    unique = tuple(dict.fromkeys(root.resolve() for root in roots))
    snapshot = GitDirSnapshot(unique)
    pointer = work_tree / ".git"
    if pointer.is_file() and not pointer.is_symlink():
        snapshot.pointer = (pointer, pointer.read_bytes())
    for root in unique:
        for entry in _walk(root):
            info = entry.lstat()
            snapshot.owners[entry] = (info.st_uid, info.st_gid)
            if stat.S_ISDIR(info.st_mode):
                snapshot.dirs.add(entry)
            elif stat.S_ISLNK(info.st_mode):
                snapshot.links[entry] = os.readlink(entry)
            elif stat.S_ISREG(info.st_mode) and not _skipped(entry, root):
                snapshot.files[entry] = (entry.read_bytes(), stat.S_IMODE(info.st_mode))
    return snapshot


def _walk(root: Path) -> list[Path]:
    found: list[Path] = [root]
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            found.append(path)
            if entry.is_dir(follow_symlinks=False) and not _skipped_dir(path, folder):
                pending.append(path)
    return found


def _skipped_dir(path: Path, parent: Path) -> bool:
    # objects/xx and objects/pack hold only object content; objects/info is kept.
    return parent.name == "objects" and path.name != "info"


def restore(snapshot: GitDirSnapshot) -> list[str]:
    """Undo every change the agent made; returns what was changed, for the log."""
    changed: list[str] = []
    for root in snapshot.roots:
        for path in sorted(_walk(root), reverse=True):  # children before their folder
            if path in snapshot.dirs or path in snapshot.links or path in snapshot.files:
                continue
            if _skipped(path, root) or (path.parent.name == "objects" and path.is_dir()):
                continue
            changed.append(f"removed {path.relative_to(root)}")
            _remove(path)
        for folder in sorted(snapshot.dirs):
            if not folder.is_dir() or folder.is_symlink():
                changed.append(f"restored folder {folder.relative_to(root)}")
                _remove(folder)
                folder.mkdir()
                _own(folder, snapshot)
        for link, target in snapshot.links.items():
            if not link.is_symlink() or os.readlink(link) != target:
                changed.append(f"restored link {link.relative_to(root)}")
                _remove(link)
                link.symlink_to(target)
                _own(link, snapshot)
        for file, (content, mode) in snapshot.files.items():
            if _same_file(file, content, mode):
                continue
            changed.append(f"restored {file.relative_to(root)}")
            _remove(file)
            _write(file, content, mode)
            _own(file, snapshot)
    if snapshot.pointer is not None:
        pointer, content = snapshot.pointer
        if not _same_file(pointer, content, None):
            changed.append("restored the .git file")
            _remove(pointer)
            _write(pointer, content, 0o644)
    for line in changed:
        log.warning("the agent changed the git directory; %s", line)
    return changed


def _own(path: Path, snapshot: GitDirSnapshot) -> None:
    """Put back the owner too: the bot writes as root, the repository may be another's."""
    if path in snapshot.owners and os.geteuid() == 0:
        os.lchown(path, *snapshot.owners[path])


def _same_file(path: Path, content: bytes, mode: int | None) -> bool:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if mode is not None and stat.S_IMODE(info.st_mode) != mode:
        return False
    return info.st_size == len(content) and path.read_bytes() == content


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def _write(path: Path, content: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    descriptor = os.open(path, flags, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.chmod(path, mode)
