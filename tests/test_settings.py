"""One settings object, read from inputs and the variables users already know."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.settings import Settings, input_names, load_settings


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.model == "gpt-4.1"
    assert settings.codex_model is None
    assert settings.sandbox == "workspace-write"
    assert settings.trigger == "/codex"
    assert settings.branch_prefix == "codex/"
    assert settings.github_token is None


def test_inputs_and_plain_aliases() -> None:
    settings = load_settings(
        {
            "GITHUB_TOKEN": "ghs_plain",
            "INPUT_OPENAI_API_KEY": "sk-input",
            "OPENAI_API_KEY": "sk-plain",
            "CODEX_SANDBOX_MODE": "read-only",
            "INPUT_ALLOWED_USERS": "alice, renovate[bot] ,",
            "INPUT_MAX_TURNS": "4",
            "INPUT_CLOSE_ISSUE": "false",
        }
    )
    assert settings.github_token is not None
    assert settings.github_token.get_secret_value() == "ghs_plain"
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-input"  # the input wins
    assert settings.sandbox == "read-only"
    assert settings.allowed_users == ("alice", "renovate[bot]")
    assert settings.max_turns == 4
    assert settings.close_issue is False


def test_empty_inputs_mean_unset() -> None:
    # The runner passes inputs without a value as empty strings.
    settings = load_settings({"INPUT_MODEL": "", "INPUT_GITHUB_TOKEN": "", "GITHUB_TOKEN": "t"})
    assert settings.model == "gpt-4.1"
    assert settings.github_token is not None


def test_secrets_never_show_in_repr() -> None:
    settings = load_settings({"OPENAI_API_KEY": "sk-very-secret-value"})
    assert "sk-very-secret-value" not in repr(settings)
    assert "sk-very-secret-value" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"CODEX_SANDBOX_MODE": "yolo"},
            "Input 'sandbox' (INPUT_SANDBOX or CODEX_SANDBOX_MODE) must be one of 'read-only', "
            "'workspace-write' or 'danger-full-access'; got 'yolo'.",
        ),
        ({"INPUT_MAX_TURNS": "0"}, "Input 'max_turns' (INPUT_MAX_TURNS)"),
        ({"INPUT_TIMEOUT_MINUTES": "soon"}, "Input 'timeout_minutes' (INPUT_TIMEOUT_MINUTES)"),
    ],
)
def test_bad_value_is_one_clear_error(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    assert message in str(caught.value)


def test_every_setting_has_a_description() -> None:
    for name, info in Settings.model_fields.items():
        assert info.description, name
    assert input_names()["github_token"] == ("GITHUB_TOKEN",)
