"""The unprivileged user the agent runs as when the bot itself is root.

A container action runs as root, next to the Docker socket and the runner's
file-command files; Codex's commands there must not be root. So whenever the bot is
root, Codex and everything it starts run as a user of their own: not the runner's
uid, no supplementary groups (not the socket's ``docker`` group), and ``no_new_privs``
so that no setuid program lifts it. Such a user cannot read or signal the bot's
processes, and everything it leaves running can be found by its uid and killed.
"""

from __future__ import annotations

import ctypes
import functools
import grp
import os
import pwd
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

# The agent's uid is drawn per run from a range no system assigns by default and that a
# user-namespace mapping (rootless Docker maps 65,536 ids) still covers; a uid that
# names a user of this machine or owns a running process is never drawn, so two bots
# on one machine never share it (each kills everything its agent's uid runs).
_UID_RANGE = range(20_000, 60_000)
_PR_SET_NO_NEW_PRIVS = 38


@dataclass(frozen=True)
class AgentUser:
    uid: int
    gid: int

    def __str__(self) -> str:
        return f"{self.uid}:{self.gid}"

    @classmethod
    def parse(cls, text: str) -> AgentUser:
        uid, _, gid = text.partition(":")
        return cls(int(uid), int(gid or uid))


@functools.cache
def agent_user() -> AgentUser | None:
    """This run's agent user when this process is root; None when it is not."""
    if os.geteuid() != 0:
        return None
    generator = random.SystemRandom()
    for _ in range(1000):
        uid = generator.choice(_UID_RANGE)
        if not _known(uid) and not processes_of(uid):
            return AgentUser(uid, uid)
    raise RuntimeError("no free uid for the agent's user")


def _known(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        try:
            grp.getgrgid(uid)
        except KeyError:
            return False
    return True


def become(user: AgentUser) -> None:
    """Turn this process into ``user`` for good: no groups, no way back, no setuid."""
    _no_new_privs()
    os.setgroups([])
    os.setresgid(user.gid, user.gid, user.gid)
    os.setresuid(user.uid, user.uid, user.uid)


def _no_new_privs() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


def processes_of(uid: int) -> list[int]:
    """Live (non-zombie) processes whose real or effective uid is ``uid``."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue  # exited meanwhile
        uids = fields.get("Uid", "").split()
        if fields.get("State", "").strip().startswith("Z") or len(uids) < 2:
            continue
        if str(uid) in uids[:2]:
            found.append(int(status.parent.name))
    return found


def kill_all(user: AgentUser, *, attempts: int = 50) -> int:
    """SIGKILL every process of ``user`` until none is left; returns how many were seen.

    ``kill(-1)`` sent as that user reaches all of its processes in one pass that a
    fork cannot outrun (the kernel holds the task list while it signals), so a
    process that forks itself away from its parent is caught too.
    """
    seen: set[int] = set()
    for _ in range(attempts):
        alive = processes_of(user.uid)
        if not alive:
            return len(seen)
        seen.update(alive)
        subprocess.run(
            [sys.executable, "-S", "-I", "-c", "import os; os.kill(-1, 9)"],
            user=user.uid,
            group=user.gid,
            extra_groups=[],
            env={},
            cwd="/",
            check=False,
        )
        time.sleep(0.005)
    raise RuntimeError(f"processes of uid {user.uid} survived {attempts} rounds of SIGKILL")


def probe(user: AgentUser | None, workspace: Path) -> None:
    """Check that the agent can run a command and write in ``workspace``; else say why."""
    # The folder is entered by the script, as that user: a cwd set before the switch
    # would skip the search permission of every folder above it.
    script = 'cd "$1" && f=".codex-pr-bot-probe-$$" && : > "$f" && rm -f "$f" && "$2" -S -c ""'
    who = f"the agent's user (uid {user.uid})" if user else "this user"
    try:
        done = subprocess.run(
            ["/bin/sh", "-c", script, "probe", str(workspace), sys.executable],
            cwd="/",
            user=user.uid if user else None,
            group=user.gid if user else None,
            extra_groups=[] if user else None,
            env={"PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        problem = str(exc)
    else:
        if done.returncode == 0:
            return
        problem = done.stderr.strip() or f"exit {done.returncode}"
    raise ConfigError(
        f"Codex could not work in {workspace}: {who} cannot run a command and write "
        f"there, or start {sys.executable} ({problem}).",
        hint="Every folder above the workspace and the Python interpreter must be "
        "searchable (o+x) by that user.",
    )


def main(argv: list[str]) -> int:
    """``python -m bot.agent_user UID:GID -- COMMAND…``: run COMMAND as that user."""
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m bot.agent_user UID:GID -- COMMAND...", file=sys.stderr)
        return 2
    become(AgentUser.parse(argv[0]))
    os.execvp(argv[2], argv[2:])  # noqa: S606 - the bot's own command, as a list


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
