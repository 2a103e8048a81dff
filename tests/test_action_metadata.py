"""action.yml agrees with the settings class and the report: same inputs, defaults, outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.report import Conclusion, Report
from bot.settings import Settings, input_names, load_settings

ACTION = Path(__file__).resolve().parents[1] / "action.yml"
# The one input whose default is an expression the runner evaluates, not a value.
EXPRESSION_DEFAULTS = {"github_token": "${{ github.token }}"}
SECRETS = ("github_token", "openai_api_key")


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def inputs() -> dict[str, dict[str, Any]]:
    found = action()["inputs"]
    assert isinstance(found, dict)
    return found


def test_inputs_are_the_settings_fields_in_order() -> None:
    assert list(inputs()) == list(Settings.model_fields)
    assert list(inputs()) == list(input_names())


def test_every_input_and_output_says_what_it_is() -> None:
    for section in ("inputs", "outputs"):
        for name, spec in action()[section].items():
            assert str(spec.get("description", "")).strip(), f"{section}.{name} has no description"


def test_no_input_is_required_so_settings_decide() -> None:
    assert [name for name, spec in inputs().items() if spec.get("required")] == []


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_default_is_the_settings_default(name: str) -> None:
    spec = inputs()[name]
    field_default = Settings.model_fields[name].default
    if name in EXPRESSION_DEFAULTS:
        assert spec.get("default") == EXPRESSION_DEFAULTS[name]
        return
    if field_default in (None, ()):
        # No value: the runner passes an empty INPUT_<NAME>, which the settings ignore.
        assert "default" not in spec, f"{name} has a default that the settings lack"
        return
    default = spec.get("default")
    assert isinstance(default, str), f"{name}: write the default as a quoted string"
    # The runner hands the default over as text: it must parse to the settings default.
    parsed = load_settings({f"INPUT_{name.upper()}": default})
    assert getattr(parsed, name) == field_default


def test_secrets_have_no_value_in_the_action() -> None:
    for name in SECRETS:
        assert inputs()[name].get("default") in (None, EXPRESSION_DEFAULTS.get(name))


def test_outputs_are_the_report_outputs() -> None:
    report = Report(Conclusion.SKIPPED, "nothing to do")
    assert list(action()["outputs"]) == list(report.outputs())


def test_runs_the_dockerfile() -> None:
    assert action()["runs"] == {"using": "docker", "image": "Dockerfile"}
