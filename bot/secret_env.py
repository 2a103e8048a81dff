"""Keep secrets out of the bot's process environment, and know which values are secret.

Linux shows a process's initial environment in ``/proc/<pid>/environ`` for its whole
life, and Codex's commands can read it when Codex runs without its sandbox (as in a
container, where bubblewrap cannot start). So the bot re-executes itself once with
every variable that is not on a short list of harmless ones removed, and hands the
removed ones over in an anonymous in-memory file that it closes once read.

Hiding and masking are separate questions: a variable is hidden unless it is known to
be harmless, but its value is a *secret* (masked in the log, refused in a change) only
when its name or shape says so.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

_HANDOFF = "CODEX_PR_BOT_SECRETS_FD"
# Variable names that hold secrets; Codex's environment policy excludes them too.
SECRET_NAMES = (
    "*TOKEN*",
    "*KEY*",
    "*SECRET*",
    "*PASSWORD*",
    "*PASSWD*",
    "*PASSPHRASE*",
    "*CREDENTIAL*",
    "*CREDS*",
    "*PRIVATE*",
    "*AUTH*",
    "*_PAT",
    "PAT",
    "*_PWD",
)
# What stays in the environment of the bot's process: what the interpreter, git and
# HTTP clients read from it, and the runner's own non-secret variables. Inputs are not
# here: the bot reads them from the handed-over environment, and an input with an
# innocent name can still carry a secret (a key in a command line, a password in a URL).
_HARMLESS = {
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "HOSTNAME", "TERM", "TZ",
    "TMPDIR", "TEMP", "TMP", "LANG", "LANGUAGE", "CI", "VIRTUAL_ENV",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    "SSH_AUTH_SOCK", "GIT_SSH", "GIT_SSH_COMMAND", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR",
    # The runner's defaults (docs: "Variables" reference, default environment variables).
    "GITHUB_ACTIONS", "GITHUB_ACTION", "GITHUB_ACTION_PATH", "GITHUB_ACTION_REF",
    "GITHUB_ACTION_REPOSITORY", "GITHUB_ACTOR", "GITHUB_ACTOR_ID", "GITHUB_API_URL",
    "GITHUB_BASE_REF", "GITHUB_ENV", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH",
    "GITHUB_GRAPHQL_URL", "GITHUB_HEAD_REF", "GITHUB_JOB", "GITHUB_OUTPUT", "GITHUB_PATH",
    "GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_REF_PROTECTED", "GITHUB_REF_TYPE",
    "GITHUB_REPOSITORY", "GITHUB_REPOSITORY_ID", "GITHUB_REPOSITORY_OWNER",
    "GITHUB_REPOSITORY_OWNER_ID", "GITHUB_RETENTION_DAYS", "GITHUB_RUN_ATTEMPT",
    "GITHUB_RUN_ID", "GITHUB_RUN_NUMBER", "GITHUB_SERVER_URL", "GITHUB_SHA",
    "GITHUB_STATE", "GITHUB_STEP_SUMMARY", "GITHUB_TRIGGERING_ACTOR", "GITHUB_WORKFLOW",
    "GITHUB_WORKFLOW_REF", "GITHUB_WORKFLOW_SHA", "GITHUB_WORKSPACE",
    "RUNNER_ARCH", "RUNNER_DEBUG", "RUNNER_ENVIRONMENT", "RUNNER_NAME", "RUNNER_OS",
    "RUNNER_TEMP", "RUNNER_TOOL_CACHE", "RUNNER_WORKSPACE",
}  # fmt: skip
_HARMLESS_PREFIXES = ("LC_", "PYTHON")
# HTTP clients and git read these from the process environment; one with a password
# is hidden from /proc like any secret and then put back into this process's memory.
_PROXIES = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}
# Short values would match ordinary text; nobody's token is that short.
_MIN_SECRET = 8
_ORDINARY_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "none"}
_AUTHOR = re.compile(r"AUTHOR(?!IZ)")
_PATH_SHAPE = re.compile(r"(?:~|\.{1,2})?/[\w.@+/-]*")


def is_secret_name(name: str) -> bool:
    # GIT_AUTHOR_NAME and friends are names of people, not credentials; an
    # AUTHORIZATION header is one.
    upper = _AUTHOR.sub("", name.upper())
    return any(fnmatch.fnmatchcase(upper, pattern) for pattern in SECRET_NAMES)


def url_password(value: str) -> str | None:
    """The password in a URL such as ``postgres://user:pass@host/db``, if it has one."""
    if "://" not in value:
        return None
    try:
        return urlsplit(value.strip()).password or None
    except ValueError:
        return None


def stays_visible(name: str, value: str) -> bool:
    """Whether a variable may stay in the bot's process environment (and /proc)."""
    upper = name.upper()
    harmless = upper in _HARMLESS or upper in _PROXIES or upper.startswith(_HARMLESS_PREFIXES)
    return harmless and not is_secret_name(name) and url_password(value) is None


def _handover_file(payload: bytes) -> int:
    """An inheritable descriptor of an anonymous file holding ``payload``, at offset 0.

    A memfd (or, without one, an already-unlinked temporary file) has no size limit and
    no name anyone can open; its descriptor is closed as soon as the new process read it.
    """
    try:
        fd = os.memfd_create("codex-pr-bot-environment", 0)
    except (AttributeError, OSError):
        fd = os.dup(tempfile.TemporaryFile().fileno())  # noqa: SIM115 (unlinked at once)
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


def reexec_without_secrets() -> None:
    """Replace this process with one whose environment holds only harmless variables.

    Returns only when there is nothing to hide or this is already the clean process.
    """
    if _HANDOFF in os.environ:
        return
    hidden = {name: value for name, value in os.environ.items() if not stays_visible(name, value)}
    if not hidden:
        return
    fd = _handover_file(json.dumps(hidden).encode())
    env = {name: value for name, value in os.environ.items() if name not in hidden}
    env[_HANDOFF] = str(fd)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)  # noqa: S606


def environ_with_secrets() -> dict[str, str]:
    """The environment as the runner gave it: this process's plus the handed-over rest."""
    environ = dict(os.environ)
    fd = environ.pop(_HANDOFF, None)
    if fd is None:
        return environ
    with os.fdopen(int(fd), "rb") as handover:
        hidden: dict[str, str] = json.loads(handover.read())
    del os.environ[_HANDOFF]
    for name, value in hidden.items():
        if name.upper() in _PROXIES:
            # Changing os.environ now does not change /proc/<pid>/environ.
            os.environ[name] = value
    return {**environ, **hidden}


def _is_ordinary(value: str) -> bool:
    """A value no one would call a secret: a flag, a path, a URL without a password."""
    if value.lower() in _ORDINARY_WORDS:
        return True
    if "://" in value:
        return url_password(value) is None
    return _PATH_SHAPE.fullmatch(value) is not None and os.path.exists(os.path.expanduser(value))


def _secret_values(name: str, value: str) -> set[str]:
    value = value.strip().strip("'\"")
    found: set[str] = set()
    if (password := url_password(value)) is not None:
        # The password is what must not leak; the rest of the URL is an address.
        found |= {password, unquote(password)}
    if is_secret_name(name) and not _is_ordinary(value):
        found.add(value)
    return found


# The only variables the bot passes on to the processes it starts (the Codex server, git
# in action mode); the composition root picks them out once.
PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SSL_CERT_FILE")


def passed_on(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of ``environ`` a started process may see: no secret among them."""
    return {name: environ[name] for name in PASSED_ON if name in environ}


def known_secrets(environ: Mapping[str, str]) -> list[str]:
    """Every secret value the bot was given: what must be masked and never pushed.

    Judged by each variable's name and value, never by whether it was hidden.
    """
    values: set[str] = set()
    for name, value in environ.items():
        values |= _secret_values(name, value)
    return sorted(value for value in values if len(value) >= _MIN_SECRET)
