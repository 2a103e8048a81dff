"""Where the agent may write besides the workspace, and handing the workspace over.

Where the agent has a user of its own (the bot is root), it gets a fresh home and a
fresh Codex home for the run, owned by that user: the skills and config of the
configured Codex home are copied in, its thread files (``sessions/``) too, and only
new or changed thread files — regular files, never links — are copied back at the
end. The configured home itself (``/app/.codex`` in the image), the bot's home and
everything else stay out of its reach.

The workspace is handed over for the agent's phase: every entry but ``.git`` that
belongs to the workspace's owner is given to the agent's user, the workspace folder
itself stays the owner's but becomes writable with the sticky bit (so ``.git`` can
be neither renamed nor replaced), and all of it is handed back on every way out.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.agent_user import AgentUser

log = logging.getLogger("bot")
_COPIED_IN = ("skills", "config.toml", "AGENTS.md")


@dataclass(frozen=True)
class Space:
    codex_home: Path
    home: Path | None = None  # the agent's HOME, when it has a user of its own


@contextmanager
def agent_space(codex_home: Path, user: AgentUser | None) -> Iterator[Space]:
    codex_home.mkdir(parents=True, exist_ok=True)
    if user is None:
        yield Space(codex_home)
        return
    # Codex will not put its helpers in a home under /tmp; mkdtemp makes a private folder.
    base = "/var/tmp" if os.path.isdir("/var/tmp") else None  # noqa: S108
    root = Path(tempfile.mkdtemp(prefix="codex-pr-bot-agent-", dir=base))
    try:
        home, run_home = root / "home", root / "codex"
        home.mkdir()
        run_home.mkdir()
        # The workspace's .git belongs to another user, which git refuses to work in
        # unless told: the agent may read its history (it cannot write it).
        (home / ".gitconfig").write_text("[safe]\n\tdirectory = *\n")
        for name in (*_COPIED_IN, "sessions"):
            source = codex_home / name
            if source.is_dir() and not source.is_symlink():
                shutil.copytree(source, run_home / name, symlinks=True)
            elif source.is_file() and not source.is_symlink():
                shutil.copy2(source, run_home / name)
        _chown_entries(root.parent, [root.name], (user.uid, user.gid), from_owner=None)
        os.chmod(root, 0o700)
        yield Space(run_home, home)
    finally:
        _copy_sessions_back(root / "codex" / "sessions", codex_home / "sessions")
        shutil.rmtree(root, ignore_errors=True)


def _copy_sessions_back(source: Path, target: Path) -> None:
    """New or changed thread files only: regular files, copied by the bot's user."""
    if not source.is_dir() or source.is_symlink():
        return
    for folder, dirs, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
        for name in files:
            file = Path(folder) / name
            info = file.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            destination = target / relative / name
            if destination.is_symlink():
                continue
            if destination.is_file() and destination.stat().st_size == info.st_size:
                continue  # thread files only grow
            destination.parent.mkdir(parents=True, exist_ok=True)
            with open(file, "rb") as reader, open(destination, "wb") as writer:
                shutil.copyfileobj(reader, writer)


@contextmanager
def workspace_handed_over(workspace: Path, user: AgentUser | None) -> Iterator[None]:
    if user is None:
        yield
        return
    info = workspace.lstat()
    owner = (info.st_uid, info.st_gid)
    entries = [e for e in os.listdir(workspace) if e != ".git"]
    _chown_entries(workspace, entries, (user.uid, user.gid), from_owner=owner)
    # Others (the agent's user) may add entries, but the sticky bit keeps them from
    # renaming or replacing any they do not own, such as .git.
    os.chmod(workspace, stat.S_IMODE(info.st_mode) | stat.S_ISVTX | 0o007)  # noqa: S103
    try:
        yield
    finally:
        # Whatever the agent's user owns now — the files it was given and the ones it
        # made — goes to the workspace's owner; a link to someone else's file (another
        # owner) is left alone, and nothing is followed.
        entries = [e for e in os.listdir(workspace) if e != ".git"]
        _chown_entries(workspace, entries, owner, from_owner=(user.uid, None))
        os.chmod(workspace, stat.S_IMODE(info.st_mode))


def _chown_entries(
    folder: Path,
    entries: list[str],
    to: tuple[int, int],
    *,
    from_owner: tuple[int, int | None] | None,
) -> None:
    """``chown -R`` of ``entries`` of ``folder``, never following a link; ``from_owner``
    (uid, and gid or None for any): only what that owner has."""
    if not entries:
        return
    matching: list[str] = []
    if from_owner is not None:
        uid, gid = from_owner
        matching = [f"--from={uid}:{gid}" if gid is not None else f"--from={uid}"]
    for start in range(0, len(entries), 1000):
        batch = ["./" + name for name in entries[start : start + 1000]]
        done = subprocess.run(
            ["chown", "-R", "-h", "-P", *matching, f"{to[0]}:{to[1]}", "--", *batch],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            log.warning("could not change the owner of every file: %s", done.stderr.strip())
