"""A fleet: one scheduled workflow keeps many repositories up to date, one matrix job each.

``fleet.yml`` names the repositories and what to ask of them; ``plan`` turns it into the
``strategy.matrix`` of the job that runs the action once per repository. GitHub Actions
is the engine — retries, concurrency and logs come with the matrix — so there is no
queue of ours. Pure, apart from reading the file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import ConfigError
from bot.run_context import is_repository_name

# The keys that say what to ask: alternatives, so an entry's own replaces the defaults'.
_REQUEST = frozenset({"prompt", "prompt_file", "tasks_dir"})


class Settings(BaseModel):
    """What to ask of a repository; each key is the action's input of the same name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str | None = Field(default=None, description="The request.")
    prompt_file: str | None = Field(
        default=None, description="A file in the target repository whose text is the request."
    )
    tasks_dir: str | None = Field(
        default=None, description="A folder of task files (*.md) in the target repository."
    )
    base: str | None = Field(default=None, description="Base branch; the default branch if empty.")
    max_cost_usd: float | None = Field(
        default=None, gt=0, description="Budget of this repository's run."
    )

    @field_validator("prompt_file", "tasks_dir")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("/") or ".." in value.split("/")):
            raise ValueError("must be a path inside the repository")
        return value


class Entry(Settings):
    repository: str = Field(description="owner/name")

    @field_validator("repository")
    @classmethod
    def _named(cls, value: str) -> str:
        if not is_repository_name(value):
            raise ValueError(f"{value!r} is not owner/name")
        return value


class FleetFile(BaseModel):
    """The fleet's repositories, with defaults each entry may override."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: Settings = Field(default_factory=lambda: Settings())
    repositories: list[Entry | str] = Field(min_length=1)

    def entries(self) -> list[Entry]:
        """Each repository with the defaults under its own settings."""
        found = []
        for item in self.repositories:
            own = {"repository": item} if isinstance(item, str) else item.model_dump(
                exclude_unset=True
            )  # fmt: skip
            given = self.defaults.model_dump(exclude_unset=True)
            if own.keys() & _REQUEST:  # an entry's own request replaces the default one
                given = {k: v for k, v in given.items() if k not in _REQUEST}
            found.append(Entry.model_validate(given | own))
        return found


def schema() -> dict[str, Any]:
    """The published JSON schema of ``fleet.yml`` (``schemas/fleet.schema.json``)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **FleetFile.model_json_schema(),
        "title": "codex-pr-bot fleet",
    }


def load(path: Path) -> FleetFile:
    """``path`` read and checked; a ``ConfigError`` naming each mistake otherwise."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read: {exc.strerror}.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    try:
        fleet = FleetFile.model_validate(raw)
        entries = fleet.entries()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][:3]) or 'the file'}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}.", hint="See schemas/fleet.schema.json.") from None
    names = [e.repository.lower() for e in entries]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{path}: listed twice: {', '.join(twice)}.")
    for entry in entries:
        if not (entry.prompt or entry.prompt_file or entry.tasks_dir):
            raise ConfigError(
                f"{path}: {entry.repository} has no prompt, prompt_file or tasks_dir.",
                hint="Give one under defaults or in the entry.",
            )
    return fleet


def slug(repository: str) -> str:
    return repository.replace("/", "--")


def plan(fleet: FleetFile, budget: float | None = None) -> dict[str, list[dict[str, str]]]:
    """The matrix: one job's inputs per repository. A total ``budget`` is split evenly —
    parallel jobs share no state — and never raises an entry's own cap."""
    entries = fleet.entries()
    share = math.floor(budget * 100 / len(entries)) / 100 if budget is not None else None
    if share is not None and share <= 0:
        raise ConfigError(
            f"A budget of ${budget} leaves nothing for each of {len(entries)} repositories."
        )
    jobs = []
    for entry in entries:
        caps = [c for c in (entry.max_cost_usd, share) if c is not None]
        jobs.append(
            {
                "repository": entry.repository,
                "owner": entry.repository.split("/")[0],
                "name": entry.repository.split("/")[1],
                "path": f"fleet/{slug(entry.repository)}",
                "prompt": entry.prompt or "",
                "prompt_file": entry.prompt_file or "",
                "tasks_dir": entry.tasks_dir or "",
                "base": entry.base or "",
                "max_cost_usd": f"{min(caps):.2f}" if caps else "",
                "artifact": f"fleet-result-{slug(entry.repository)}",
            }
        )
    return {"include": jobs}


def matrix_json(fleet: FleetFile, budget: float | None = None) -> str:
    return json.dumps(plan(fleet, budget), separators=(",", ":"))
