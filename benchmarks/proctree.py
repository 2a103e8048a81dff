"""Peak memory of a process tree: the sum of the RSS of a root process and all its
descendants, sampled from /proc.

RSS counts shared pages (libraries, the codex binary) once per process, so the sum
slightly overstates what the tree really occupies; it is the number the goal is
stated in.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Peak:
    total_bytes: int = 0
    # At the moment of the peak: (label, rss bytes) per process, largest first.
    processes: list[tuple[str, int]] = field(default_factory=list)
    # Largest RSS each kind of process reached at any time.
    per_kind: dict[str, int] = field(default_factory=dict)
    samples: int = 0


def label(cmdline: list[str]) -> str:
    """A short name for a process of the bot's tree."""
    text = " ".join(cmdline)
    if "mcp-server" in cmdline:
        return "MCP server (python -m bot mcp-server)"
    if "-m" in cmdline and "bot" in cmdline:
        return "bot (python -m bot)"
    if "app-server" in cmdline:
        return "codex app-server"
    name = Path(cmdline[0]).name if cmdline else "?"
    if name.startswith("git"):
        return "git"
    if name in ("bwrap", "codex-linux-sandbox") or "sandbox" in text:
        return "Codex sandbox"
    return f"Codex command ({name})"


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _tree(root: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of ``root`` and its descendants."""
    children: dict[int, list[int]] = {}
    parents = _parents()
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append((pid, parents.get(pid, 0)))
        pending.extend(children.get(pid, ()))
    return found


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


class TreeSampler:
    """Samples a process tree's RSS every ``interval`` seconds in a background thread.

    A child that was forked but has not yet exec'd (same command line as its parent)
    is skipped: its pages are the parent's, and counting them twice would report a
    peak that never existed.
    """

    def __init__(self, root: int, interval: float = 0.02) -> None:
        self.root = root
        self.interval = interval
        self.peak = Peak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        tree = _tree(self.root)
        commands = {pid: _cmdline(pid) for pid, _ in tree}
        rows = []
        for pid, ppid in tree:
            if ppid in commands and commands[ppid] == commands[pid]:
                continue  # forked, not yet exec'd
            rss = _rss(pid)
            if rss and commands[pid]:
                rows.append((label(commands[pid]), rss))
        if not rows:
            return
        peak = self.peak
        peak.samples += 1
        for name, rss in rows:
            peak.per_kind[name] = max(peak.per_kind.get(name, 0), rss)
        total = sum(rss for _, rss in rows)
        if total > peak.total_bytes:
            peak.total_bytes = total
            peak.processes = sorted(rows, key=lambda row: -row[1])
