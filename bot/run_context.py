"""What the composition root read from the runner, as values for everything below it. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from bot.errors import ConfigError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")


def is_repository_name(text: str) -> bool:
    """Whether ``text`` is a repository's ``owner/name`` as GitHub allows them."""
    return _NAME.match(text) is not None


# Runs a person starts for a repository of theirs: the only ones that may work on another.
_ELSEWHERE = frozenset({"schedule", "workflow_dispatch"})


@dataclass(frozen=True)
class RunnerContext:
    """What the Actions runner tells a container action through its environment."""

    event_name: str
    event_path: Path
    workspace: Path
    repository: str
    api_url: str
    server_url: str
    run_id: str
    run_attempt: int
    run_url: str | None
    actor: str | None
    output_path: Path | None
    summary_path: Path | None
    # Set by the container's entrypoint when Codex's sandbox cannot start there.
    sandbox_unavailable: str | None = None


def aimed_at(context: RunnerContext, repository: str | None, path: str | None) -> RunnerContext:
    """A job that works on another repository than its workflow's (a fleet's matrix job):
    the forge and the workspace become that repository's; the run, and its links, stay
    the workflow's."""
    if path:
        parts = Path(path).parts
        if Path(path).is_absolute() or ".." in parts:
            raise ConfigError(f"path {path!r} must be a folder under the workspace.")
        context = replace(context, workspace=context.workspace / path)
    if not repository or repository.lower() == context.repository.lower():
        return context
    if not is_repository_name(repository):
        raise ConfigError(f"repository {repository!r} is not owner/name.")
    if context.event_name not in _ELSEWHERE:
        raise ConfigError(
            f"repository: {repository} is another repository than the workflow's, which only "
            "manual and scheduled runs may work on.",
            hint="Leave repository empty for comment, label, review and CI triggers.",
        )
    return replace(context, repository=repository)
