"""What the composition root read from the runner, as values for everything below it. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
