"""How Codex is configured for the bot: model provider, environment policy, trust.

Pure: settings in, ``--config`` overrides and an environment out. Overrides given to
``codex app-server`` on its command line beat any ``.codex/config.toml`` committed in
the repository under work, so the repository cannot undo them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from bot.secret_env import PASSED_ON, SECRET_NAMES

OPENAI_API = "https://api.openai.com/v1"
# The variable Codex's provider reads its credential from (Codex ignores OPENAI_API_KEY):
# the bot's one-run proxy nonce, never the real key.
MODEL_KEY_VARIABLE = "CODEX_PR_BOT_MODEL_KEY"
_PROVIDER = "codex-pr-bot"
# Names Codex's commands never see, on top of Codex's own default excludes.
SECRET_PATTERNS = (*SECRET_NAMES, "GITHUB_*")


def _toml(value: object) -> str:
    # JSON strings, arrays and booleans are valid TOML values.
    return json.dumps(value)


# Codex without a tool that runs a command (neither the shell nor unified exec), for
# reading a stranger's change; measured: its model requests then offer none.
NO_SHELL = ("features.shell_tool=false", "features.unified_exec=false")


def codex_overrides(*, base_url: str | None, workspace: Path) -> list[str]:
    """``key=value`` overrides for ``codex app-server``."""
    provider = f"model_providers.{_PROVIDER}"
    return [
        # A custom provider talks plain HTTP streaming (the built-in one first tries a
        # WebSocket several times) and reads its key from the variable we choose.
        f"model_provider={_toml(_PROVIDER)}",
        f"{provider}.name={_toml(_PROVIDER)}",
        f"{provider}.base_url={_toml(base_url or OPENAI_API)}",
        f"{provider}.wire_api={_toml('responses')}",
        f"{provider}.env_key={_toml(MODEL_KEY_VARIABLE)}",
        f"{provider}.request_max_retries=2",
        f"{provider}.stream_max_retries=2",
        # Otherwise Codex syncs plugins from the internet at every start.
        "features.plugins=false",
        # Codex's plan tool: its checklist is what the status comment shows while it works.
        "tools.update_plan={enabled=true}",
        # Commands get a core environment without anything that looks like a secret.
        f"shell_environment_policy.inherit={_toml('core')}",
        f"shell_environment_policy.exclude={_toml(list(SECRET_PATTERNS))}",
        "shell_environment_policy.ignore_default_excludes=false",
        # The checked-out repository is not trusted: its .codex/config.toml is not loaded.
        f"projects.{_toml(str(workspace))}.trust_level={_toml('untrusted')}",
    ]


def codex_server_env(
    passed_on: Mapping[str, str], *, codex_home: Path, model_key: str
) -> dict[str, str]:
    """The whole environment of the Codex server process: the root's allow-list, no tokens."""
    env = {name: passed_on[name] for name in PASSED_ON if name in passed_on}
    env["CODEX_HOME"] = str(codex_home)
    env[MODEL_KEY_VARIABLE] = model_key
    return env
