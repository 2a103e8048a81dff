"""``codex-pr-bot fleet plan|rollup``: the fleet workflow's first and last jobs.

``plan FLEET_YML [--budget USD]`` prints the matrix (JSON for ``strategy.matrix``);
``rollup RESULTS_DIR [--plan MATRIX_JSON]`` writes the night into the fleet repository's
tracking issue with ``GITHUB_TOKEN``. The composition root of both.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot import fleet, fleet_rollup
from bot.errors import BotError, ConfigError


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="codex-pr-bot fleet")
    sub = ap.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="print the matrix of a fleet.yml")
    plan.add_argument("fleet_file", type=Path)
    plan.add_argument("--budget", type=float, help="total USD for the night, split evenly")
    rollup = sub.add_parser("rollup", help="write the results into the tracking issue")
    rollup.add_argument("results", type=Path)
    rollup.add_argument("--plan", type=Path, help="the matrix plan printed (lists every job)")
    return ap


def _planned(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        jobs = json.loads(path.read_text(encoding="utf-8"))["include"]
        return [str(job["repository"]) for job in jobs]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path} is not a plan printed by `fleet plan`: {exc}") from None


def _rollup(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from bot.github_issues import GitHubIssues

    token, repository = environ.get("GITHUB_TOKEN"), environ.get("GITHUB_REPOSITORY")
    if not token or not repository:
        raise ConfigError("GITHUB_TOKEN and GITHUB_REPOSITORY are needed to write the issue.")
    results = fleet_rollup.read_results(args.results, _planned(args.plan))
    if not results:
        raise ConfigError(f"No result.json under {args.results}, and no --plan.")
    server, run = (
        environ.get("GITHUB_SERVER_URL", "https://github.com"),
        environ.get("GITHUB_RUN_ID"),
    )
    run_url = f"{server}/{repository}/actions/runs/{run}" if run else None
    api = environ.get("GITHUB_API_URL", "https://api.github.com")
    tracker = GitHubIssues(api_url=api, repository=repository, token=token)
    try:
        number, still = fleet_rollup.rollup(tracker, results, run_url, server)
    finally:
        tracker.close()
    failed = sum(r.failed for r in results)
    state = "open" if still else "closed"
    where = f"issue #{number} ({state})" if number else "no issue: every repository is clean"
    print(f"{len(results)} repositories, {failed} failed: {where}")
    return 1 if failed else 0


def main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    args = _parser().parse_args(list(argv))
    try:
        if args.command == "plan":
            matrix = fleet.matrix_json(fleet.load(args.fleet_file), args.budget)
            print(matrix)
            output = environ.get("GITHUB_OUTPUT")
            if output:  # a step of the fleet's workflow: the matrix is its output
                with open(output, "a", encoding="utf-8") as file:
                    file.write(f"matrix={matrix}\n")
            return 0
        return _rollup(args, environ)
    except BotError as exc:
        print(f"codex-pr-bot fleet: {exc}", file=sys.stderr)
        return exc.exit_code
