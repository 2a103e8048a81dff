"""Keep secrets out of the bot's process environment.

Linux shows a process's initial environment in ``/proc/<pid>/environ`` for its whole
life, and Codex's commands can read it when Codex runs without its sandbox (as in a
container, where bubblewrap cannot start). So the bot re-executes itself once with the
secrets removed from the environment and hands them over through a pipe instead.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from collections.abc import Mapping

_HANDOFF = "CODEX_PR_BOT_SECRETS_FD"
# Variable names that hold secrets; Codex's environment policy excludes them too.
SECRET_NAMES = ("*TOKEN*", "*KEY*", "*SECRET*", "*PASSWORD*", "*CREDENTIAL*")
# A pipe holds at least this much without a reader; secrets are far smaller.
_PIPE_BUDGET = 60_000


def is_secret_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name.upper(), pattern) for pattern in SECRET_NAMES)


def reexec_without_secrets() -> None:
    """Replace this process with one whose environment holds no secrets.

    Returns only when there is nothing to hide or this is already the clean process.
    """
    if _HANDOFF in os.environ:
        return
    hidden = {name: value for name, value in os.environ.items() if is_secret_name(name) and value}
    payload = json.dumps(hidden).encode()
    if not hidden or len(payload) > _PIPE_BUDGET:
        return
    read_end, write_end = os.pipe()
    os.write(write_end, payload)
    os.close(write_end)
    os.set_inheritable(read_end, True)
    env = {name: value for name, value in os.environ.items() if name not in hidden}
    env[_HANDOFF] = str(read_end)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)  # noqa: S606


def environ_with_secrets() -> dict[str, str]:
    """The environment as the runner gave it: this process's plus the handed-over secrets."""
    environ = dict(os.environ)
    fd = environ.pop(_HANDOFF, None)
    if fd is None:
        return environ
    with os.fdopen(int(fd), "rb") as pipe:
        hidden: dict[str, str] = json.loads(pipe.read() or b"{}")
    del os.environ[_HANDOFF]
    return {**environ, **hidden}


def known_secrets(environ: Mapping[str, str]) -> list[str]:
    """Every secret value the bot was given: what must be masked and never pushed."""
    values = {value.strip("'\"") for name, value in environ.items() if is_secret_name(name)}
    # Short values would match ordinary text; nobody's token is that short.
    return sorted(value for value in values if len(value) >= 8)
