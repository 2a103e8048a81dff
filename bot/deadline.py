"""Bounding the agent's work: a deadline, the job's cancellation, and a clean stop.

When the deadline passes or the runner cancels the job (SIGINT, then SIGTERM), the
agent's task is cancelled, so that the agent's phase ends — and with it, in
``change.stop_everything``, every process the agent started (``kill_descendants`` here
is that mechanism for the bot's own process tree) — and the bot can still publish what
exists and say so before the runner gives up on it.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
from collections.abc import Coroutine
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from bot.spend import BudgetStop, Ledger

log = logging.getLogger("bot")
T = TypeVar("T")


class Interrupted(Exception):
    """The work was stopped; ``reason`` says why in words for the requester."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _parents() -> dict[int, int]:
    """pid → parent pid of every process, from /proc/<pid>/stat (Linux)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces: split after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":  # a zombie has already exited; only its parent can reap it
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def kill_descendants(pid: int | None = None, *, rounds: int = 20) -> int:
    """SIGKILL every descendant of ``pid`` (this process by default), again and again
    until none is left (a process may fork while the last round walks the tree);
    returns how many were killed."""
    root = os.getpid() if pid is None else pid
    killed = 0
    for _ in range(rounds):
        children: dict[int, list[int]] = {}
        for child, parent in _parents().items():
            children.setdefault(parent, []).append(child)
        pending, found = list(children.get(root, [])), 0
        while pending:
            child = pending.pop()
            pending += children.get(child, [])
            try:
                os.kill(child, signal.SIGKILL)
                found += 1
            except ProcessLookupError:
                continue
        if not found:
            break
        killed += found
    return killed


def adopt_orphans() -> None:
    """Become the parent of any process our children leave behind (Linux).

    A command Codex starts in the background would otherwise be handed to init when
    Codex exits, and live on; as a child subreaper the bot can still find and stop it.
    """
    pr_set_child_subreaper = 36
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)
    except (OSError, AttributeError):
        log.info("cannot adopt orphaned processes on this system")


async def run_within(
    work: Coroutine[Any, Any, T], *, seconds: float, budget: Ledger | None = None
) -> T:
    """Await ``work``, but at most ``seconds``, not past a SIGTERM or SIGINT, and not past
    the ``budget``: reaching its cap stops the work like the deadline does."""
    adopt_orphans()
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    cancelled_by: list[str] = []

    def cancel(name: str) -> None:
        log.warning("received %s: stopping the agent", name)
        cancelled_by.append(name)
        task.cancel()

    watched = (signal.SIGTERM, signal.SIGINT)
    for sig in watched:
        loop.add_signal_handler(sig, cancel, sig.name)
    if budget is not None:
        # Heard on the proxy's thread; the task is cancelled on the loop's.
        def stop_for_budget(stop: BudgetStop) -> None:
            with suppress(RuntimeError):  # the loop is gone: the work ended long ago
                loop.call_soon_threadsafe(task.cancel)

        budget.on_stop(stop_for_budget)
    try:
        return await asyncio.wait_for(task, timeout=max(seconds, 0.0))
    except TimeoutError:
        raise Interrupted(f"the deadline of {seconds / 60:.1f} minutes passed") from None
    except asyncio.CancelledError:
        if cancelled_by:
            raise Interrupted(f"the job was cancelled ({cancelled_by[0]})") from None
        _raise_budget_stop(budget)
        raise
    except Exception:
        # The refusal may reach a client (and fail it) before the cancellation lands.
        _raise_budget_stop(budget)
        raise
    finally:
        for sig in watched:
            loop.remove_signal_handler(sig)


def _raise_budget_stop(budget: Ledger | None) -> None:
    stop = budget.stopped if budget is not None else None
    if stop is None:
        return
    if stop.reached:
        raise Interrupted(stop.reason) from None
    raise stop from None
