"""The fleet's plan: fleet.yml checked, the matrix each job's inputs come from, the budget
split, the published schema; and the action's aim at another repository."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot import fleet
from bot.cli import main
from bot.errors import ConfigError
from bot.fleet_rollup import Result, body, rollup
from bot.run_context import RunnerContext, aimed_at

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples/workflows/codex-fleet.yml"


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.yml"
    path.write_text(text)
    return path


THREE = """
defaults:
  prompt_file: .github/codex/nightly.md
  max_cost_usd: 3
repositories:
  - octo-org/api
  - repository: octo-org/web
    max_cost_usd: 0.5
  - repository: octo-org/docs
    prompt: Fix the typos.
    base: gh-pages
"""


def test_the_matrix_expands_into_each_jobs_inputs(tmp_path: Path) -> None:
    """Every `${{ matrix.* }}` of the example's action step resolves, to an input the
    action has, with the entry's own values; artifact names never collide."""
    jobs = fleet.plan(fleet.load(written(tmp_path, THREE)), budget=6)["include"]
    workflow = yaml.safe_load(EXAMPLE.read_text())
    steps = workflow["jobs"]["maintain"]["steps"]
    [action] = [s for s in steps if str(s.get("uses", "")).startswith("your-org/codex-pr-bot@")]
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]

    def expand(value: str, job: dict[str, str]) -> str:
        return re.sub(r"\$\{\{ matrix\.(\w+) \}\}", lambda m: job[m[1]], value)

    given = [
        {k: expand(str(v), job) for k, v in action["with"].items() if "matrix." in str(v)}
        for job in jobs
    ]
    assert set(given[0]) <= set(inputs)
    assert [g["repository"] for g in given] == ["octo-org/api", "octo-org/web", "octo-org/docs"]
    assert [g["path"] for g in given] == [
        "fleet/octo-org--api", "fleet/octo-org--web", "fleet/octo-org--docs",
    ]  # fmt: skip
    # The night's $6 is $2 each, but never more than an entry's own cap.
    assert [g["max_cost_usd"] for g in given] == ["2.00", "0.50", "2.00"]
    assert [(g["prompt"], g["prompt_file"]) for g in given] == [
        ("", ".github/codex/nightly.md"),
        ("", ".github/codex/nightly.md"),
        ("Fix the typos.", ""),  # its own request replaces the default one
    ]
    assert given[2]["base"] == "gh-pages"
    artifacts = [job["artifact"] for job in jobs]
    assert len(set(artifacts)) == 3
    token_step = next(s for s in steps if s.get("id") == "app-token")
    assert token_step["with"]["repositories"] == "${{ matrix.name }}"
    assert (jobs[0]["owner"], jobs[0]["name"]) == ("octo-org", "api")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("repositories: [not-a-name]", "'not-a-name' is not owner/name"),
        ("repositories: []", "repositories"),
        ("defaults: {prompt: x}\nrepositories: [a/b, A/B]", "listed twice: a/b"),
        ("repositories: [a/b]", "a/b has no prompt, prompt_file or tasks_dir"),
        ("defaults: {prompt: x, colour: red}\nrepositories: [a/b]", "colour"),
        ("defaults: {prompt_file: ../../etc/passwd}\nrepositories: [a/b]", "inside the repo"),
        ("defaults: {prompt: x, max_cost_usd: -1}\nrepositories: [a/b]", "max_cost_usd"),
        ("repositories: [a/b\n", "not valid YAML"),
    ],
)
def test_a_bad_fleet_file_is_refused_with_its_mistake_named(
    tmp_path: Path, text: str, says: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)):
        fleet.load(written(tmp_path, text))


def test_a_budget_too_small_to_share_is_refused(tmp_path: Path) -> None:
    loaded = fleet.load(written(tmp_path, THREE))
    with pytest.raises(ConfigError, match="leaves nothing"):
        fleet.plan(loaded, budget=0.02)


def test_the_command_prints_the_matrix_and_sets_the_steps_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert main(["fleet", "plan", str(written(tmp_path, THREE)), "--budget", "6"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed["include"]) == 3
    assert output.read_text() == f"matrix={json.dumps(printed, separators=(',', ':'))}\n"
    assert main(["fleet", "plan", str(written(tmp_path, "repositories: [x]"))]) == 2
    assert "is not owner/name" in capsys.readouterr().err


def test_the_published_schema_is_the_one_the_bot_checks_with() -> None:
    published = json.loads((ROOT / "schemas/fleet.schema.json").read_text())
    assert published == fleet.schema()
    fleet.load(ROOT / "examples/fleet.yml")  # the example holds


def context(event: str = "schedule") -> RunnerContext:
    return RunnerContext(
        event_name=event, event_path=Path("/e.json"), workspace=Path("/ws"),
        repository="octo-org/fleet", api_url="http://x", server_url="https://github.com",
        run_id="9", run_attempt=1, run_url="https://github.com/octo-org/fleet/actions/runs/9",
        actor=None, output_path=None, summary_path=None,
    )  # fmt: skip


def test_a_job_aims_at_another_repository_and_keeps_its_own_run() -> None:
    aimed = aimed_at(context(), "octo-org/api", "fleet/octo-org--api")
    assert (aimed.repository, aimed.workspace) == ("octo-org/api", Path("/ws/fleet/octo-org--api"))
    assert aimed.run_url == "https://github.com/octo-org/fleet/actions/runs/9"
    assert aimed_at(context(), None, None) == context()


@pytest.mark.parametrize(
    ("event", "repository", "path", "says"),
    [
        ("issue_comment", "octo-org/api", None, "only manual and scheduled runs"),
        ("schedule", "octo-org/api", "../elsewhere", "under the workspace"),
        ("schedule", "octo-org/api", "/etc", "under the workspace"),
        ("schedule", "not a name", None, "not owner/name"),
    ],
)
def test_aiming_elsewhere_is_refused_where_it_could_mislead(
    event: str, repository: str, path: str | None, says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        aimed_at(context(event), repository, path)


class Issues:
    """The fleet repository's issues, in memory: what the rollup did to them."""

    def __init__(self) -> None:
        self.issues: dict[int, tuple[str, bool]] = {}

    def find_issue(self, label: str, mark: str) -> tuple[int, bool] | None:
        found = [(n, is_open) for n, (body, is_open) in self.issues.items() if mark in body]
        return found[-1] if found else None

    def open_issue(self, title: str, body: str, label: str) -> int:
        self.issues[len(self.issues) + 1] = (body, True)
        return len(self.issues)

    def edit_issue(self, number: int, body: str, *, open: bool) -> None:
        self.issues[number] = (body, open)


def test_the_tracking_issue_closes_when_all_is_clean_and_reopens_when_not() -> None:
    issues = Issues()
    broken = [Result("a/x", "failed"), Result("a/y", "no_changes")]
    clean = [Result("a/x", "no_changes"), Result("a/y", "no_changes")]
    server = "https://github.com"
    assert rollup(issues, clean, None, server) == (0, False)  # nothing to track
    assert issues.issues == {}
    assert rollup(issues, broken, None, server) == (1, True)
    assert rollup(issues, clean, None, server) == (1, False)
    assert rollup(issues, broken, None, server) == (1, True)  # the same issue, reopened
    assert len(issues.issues) == 1
    hostile = Result("a/z", "pr_opened", pr_url="x | y\n| forged | row |")
    table = body([hostile], None, server)
    assert "| forged |" not in table.replace("\\|", "")
