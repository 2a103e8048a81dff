"""Every knob of the bot, read once from the environment at the edge.

As an Action, inputs arrive as ``INPUT_<NAME>`` (snake_case names, so no hyphens end
up in variable names); the plain variables users already know are aliases.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import (
    AliasChoices,
    AliasGenerator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError
from bot.spend import Budget, Price

Sandbox = Literal["read-only", "workspace-write", "danger-full-access"]


def _input_name(field_name: str) -> str:
    return f"INPUT_{field_name.upper()}"


def _field(default: Any, description: str, *aliases: str) -> Any:
    """A setting read from its input; ``aliases`` are ``INPUT_<NAME>`` then plain variables."""
    alias = AliasChoices(*aliases) if aliases else None
    return Field(default, description=description, validation_alias=alias)


class Settings(BaseSettings):
    """One object for every setting; the README's inputs table and action.yml mirror it."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", alias_generator=AliasGenerator(validation_alias=_input_name)
    )

    prompt: str | None = _field(None, "The request for manual and scheduled runs.")
    prompt_file: str | None = _field(
        None, "A file in the repository whose text is the request (scheduled runs)."
    )
    tasks_dir: str | None = _field(
        None, "A folder of task files (*.md) that a scheduled run works through, one PR each."
    )
    github_token: SecretStr | None = _field(
        None, "Token for the GitHub API and the push.", "INPUT_GITHUB_TOKEN", "GITHUB_TOKEN"
    )
    openai_api_key: SecretStr | None = _field(
        None,
        "Key for the model API (orchestrator and Codex).",
        "INPUT_OPENAI_API_KEY",
        "OPENAI_API_KEY",
    )
    openai_base_url: str | None = _field(
        None,
        "OpenAI-compatible endpoint, e.g. a gateway.",
        "INPUT_OPENAI_BASE_URL",
        "OPENAI_BASE_URL",
    )
    model: str = _field("gpt-4.1", "Model of the orchestrating agent.")
    codex_model: str | None = _field(None, "Model Codex uses; empty for Codex's default.")
    sandbox: Sandbox = _field(
        "workspace-write", "Codex sandbox mode.", "INPUT_SANDBOX", "CODEX_SANDBOX_MODE"
    )
    trigger: str = _field("/codex", "Word that starts a request in a comment.")
    trigger_label: str = _field("codex", "Label that asks for a change when added to an issue.")
    base: str | None = _field(None, "Base branch of new pull requests; default branch if empty.")
    branch_prefix: str = _field("codex/", "Prefix of the branches the bot creates.")
    timeout_minutes: float = _field(30, "Deadline for the whole run, in minutes.")
    max_turns: int = _field(12, "Most model turns the orchestrating agent may take.")
    allowed_users: tuple[str, ...] = _field(
        (), "Comma-separated logins (people or bots) allowed besides writers."
    )
    close_issue: bool = _field(True, "Write 'Closes #N' in the PR body (false: a plain reference).")
    repository: str | None = _field(
        None, "owner/name of the repository the change is for; the workflow's own if empty."
    )
    path: str | None = _field(
        None, "Where that repository is checked out, under the workspace; the workspace if empty."
    )
    max_fix_attempts: int = _field(
        2, "Most CI repairs the bot tries on one of its pull requests before it stops."
    )
    sign_commits: bool = _field(
        True,
        "Make the commit through GitHub's API, which signs it (Verified); without it, or "
        "where GitHub cannot, git pushes it unsigned.",
    )
    signoff: bool = _field(False, "Add a Signed-off-by trailer (DCO) matching the commit's author.")
    codex_home: Path | None = _field(
        None,
        "Codex's home (skills, sessions); default ~/.codex-pr-bot/codex.",
        "INPUT_CODEX_HOME",
        "CODEX_HOME",
    )
    mcp_command: str | None = _field(
        None, "Another Codex MCP server command instead of the built-in one."
    )
    protected_paths: tuple[str, ...] = _field(
        (".github/workflows/**",), "Comma-separated globs the bot refuses to push."
    )
    allow_protected_paths: bool = _field(False, "Let the bot push changes to protected_paths.")
    tracing: bool = _field(False, "Send Agents SDK traces to OpenAI.")
    max_tokens: int | None = _field(
        None, "Most model tokens (input and output, both layers) a run may use."
    )
    max_cost_usd: float | None = _field(
        None, "Most a run may spend on the model, in USD; the run stops there."
    )
    model_prices: dict[str, Price] | None = _field(
        None, 'Prices of models the bot does not know, as JSON: {"model": [input, cached, output]}.'
    )

    @field_validator("allowed_users", "protected_paths", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(login.strip() for login in value.split(",") if login.strip())
        return value

    @field_validator("timeout_minutes", "max_turns", "max_tokens", "max_cost_usd")
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @field_validator("model_prices", mode="before")
    @classmethod
    def _prices(cls, value: object) -> object:
        """USD per million input, cached-input and output tokens, per model."""
        if value is None:
            return None
        try:
            table = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            table = None
        if not isinstance(table, dict):
            raise ValueError('must be a JSON object such as {"my-model": [1.25, 0.125, 10]}')
        prices = {}
        for model, given in table.items():
            numbers = list(given.values()) if isinstance(given, dict) else given
            if not (
                isinstance(numbers, list)
                and len(numbers) == 3
                and all(isinstance(n, int | float) and n >= 0 for n in numbers)
            ):
                raise ValueError(f"'{model}' needs three prices: input, cached input, output")
            prices[str(model)] = Price(*(float(n) for n in numbers))
        return prices

    @property
    def budget(self) -> Budget:
        return Budget(self.max_tokens, self.max_cost_usd)

    def model_key(self) -> str:
        """The model key, or a ConfigError saying what to set."""
        if self.openai_api_key is None:
            raise ConfigError(
                "No model key: set OPENAI_API_KEY (or, for an OpenAI-compatible server, "
                "OPENAI_BASE_URL and the key it expects in OPENAI_API_KEY)."
            )
        return self.openai_api_key.get_secret_value()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what ``load_settings`` passes: the caller's environment mapping, so
        # tests and the composition root decide the source, not the process.
        return (init_settings,)


def input_names() -> dict[str, tuple[str, ...]]:
    """Each input's name and the plain variables that alias it."""
    names: dict[str, tuple[str, ...]] = {}
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else []
        names[name] = tuple(str(c) for c in choices if c != _input_name(name))
    return names


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build the settings from ``environ``; a bad value is one clear ConfigError."""
    values = {key: value for key, value in environ.items() if value.strip() != ""}
    try:
        return Settings(**cast(dict[str, Any], values))
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None


def _explain(exc: ValidationError) -> str:
    lines = []
    by_alias = {alias: name for name, plain in input_names().items() for alias in plain}
    for error in exc.errors():
        loc = str(error["loc"][0]) if error["loc"] else "?"
        name = by_alias.get(loc) or loc.removeprefix("INPUT_").lower()
        where = " or ".join((f"INPUT_{name.upper()}", *input_names().get(name, ())))
        detail = error["msg"]
        if error["type"] == "literal_error":
            allowed = error.get("ctx", {}).get("expected", "")
            detail = f"must be one of {allowed}"
        got = error.get("input")
        shown = "" if "key" in name or "token" in name else f"; got {got!r}"
        lines.append(f"Input '{name}' ({where}) {detail}{shown}.")
    return " ".join(lines)
