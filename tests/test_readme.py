"""The README's inputs and outputs tables say what the settings class and Report do."""

from __future__ import annotations

import re
from pathlib import Path

from bot.report import Conclusion, Report
from bot.settings import Settings, input_names

README = (Path(__file__).parent.parent / "README.md").read_text()
# Defaults that only exist in action.yml, where the runner expands them.
ACTION_ONLY_DEFAULTS = {"github_token": "${{ github.token }}"}


def table(heading: str) -> list[list[str]]:
    section = README.split(f"### {heading}\n", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def unquote(cell: str) -> str:
    return cell.strip().strip("`")


def shown(value: object) -> str:
    if value is None or value == ():
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def test_inputs_table_matches_settings() -> None:
    rows = {unquote(r[0]): r for r in table("Inputs")}
    assert list(rows) == list(Settings.model_fields)
    for name, info in Settings.model_fields.items():
        _, default, alias, description = rows[name]
        expected = ACTION_ONLY_DEFAULTS.get(name, shown(info.default))
        assert unquote(default) == expected, name
        assert re.findall(r"`([^`]+)`", alias) == list(input_names()[name]), name
        assert description == info.description, name


def test_outputs_table_matches_report() -> None:
    rows = table("Outputs")
    assert [unquote(r[0]) for r in rows] == list(Report(Conclusion.SKIPPED, "").outputs())
    conclusions = re.findall(r"`(\w+)`", rows[0][1])
    assert conclusions == [c.value for c in Conclusion]


def test_readme_names_the_two_commands_ci_runs() -> None:
    assert "bash scripts/test" in README
    assert "uv run codex-pr-bot local" in README
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert "bash scripts/test" in ci
