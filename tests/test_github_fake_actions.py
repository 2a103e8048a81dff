"""Workflow runs, their jobs and their logs on the GitHub fake, over HTTP as bot code reads them
(bare requests and PyGithub); a log comes through a redirect to a signed URL that must never
see the token. And the ``workflow_run`` payload built from GitHub's own example."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from github import Github

from tests.payloads import FIXTURES, payload, workflow_run_event
from tests.rig.github_fake import GitHubFake

REPO = "octo-org/hello-world"
LOG = "2026-11-02T09:14:00.1234567Z ##[group]Run pytest\nFAILED tests/test_app.py::test_hi\n"


@pytest.fixture
def session(github: GitHubFake) -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {github.token}"
        yield s


def _get(session: requests.Session, github: GitHubFake, path: str, **query: Any) -> Any:
    answer = session.get(f"{github.api_url}/repos/{REPO}{path}", params=query, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_runs_are_listed_newest_first_and_filtered(
    github: GitHubFake, session: requests.Session
) -> None:
    pull = github.add_pull("feature", "main", "Say x")
    failed = github.add_workflow_run(head_branch="feature", head_sha="a" * 40)
    passed = github.add_workflow_run(
        head_branch="feature", head_sha="b" * 40, conclusion="success", event="push"
    )
    other = github.add_workflow_run(head_branch="other", head_sha="c" * 40, name="Lint")
    running = github.add_workflow_run(head_branch="other", head_sha="d" * 40, conclusion=None)

    def ids(**query: Any) -> list[int]:
        return [r["id"] for r in _get(session, github, "/actions/runs", **query)["workflow_runs"]]

    assert ids() == [running, other, passed, failed]
    assert ids(branch="feature") == [passed, failed]
    assert ids(status="failure") == [other, failed]
    assert ids(status="completed") == [other, passed, failed]
    assert ids(status="in_progress") == [running]
    assert ids(event="push") == [passed]
    assert ids(head_sha="c" * 40) == [other]
    second = session.get(
        f"{github.api_url}/repos/{REPO}/actions/runs", params={"per_page": 1, "page": 2}
    )
    assert [r["id"] for r in second.json()["workflow_runs"]] == [other]
    assert second.json()["total_count"] == 4
    assert 'rel="next"' in second.headers["Link"]
    run = _get(session, github, f"/actions/runs/{failed}")
    assert (run["conclusion"], run["status"], run["event"]) == (
        "failure",
        "completed",
        "pull_request",
    )
    assert [p["number"] for p in run["pull_requests"]] == [pull]  # open from the same branch
    assert run["path"] == ".github/workflows/ci.yml"
    assert _get(session, github, f"/actions/runs/{other}")["pull_requests"] == []
    fork = github.add_workflow_run(head_branch="feature", head_repo="mallory/hello-world")
    assert _get(session, github, f"/actions/runs/{fork}")["pull_requests"] == []
    missing = session.get(f"{github.api_url}/repos/{REPO}/actions/runs/1", timeout=30)
    assert missing.status_code == 404
    assert github.validation_errors == []


def test_a_runs_jobs_show_their_steps(github: GitHubFake, session: requests.Session) -> None:
    run = github.add_workflow_run(head_branch="feature", head_sha="a" * 40, run_attempt=2)
    earlier = github.add_job(run, "test", steps=[("Run tests", "failure")], run_attempt=1)
    steps = [("Checkout", "success"), ("Run tests", "failure"), ("Upload", "skipped")]
    job = github.add_job(run, "test", steps=steps, log=LOG)
    lint = github.add_job(run, "lint", conclusion="success", steps=[("Ruff", "success")])

    latest = _get(session, github, f"/actions/runs/{run}/jobs")
    assert [j["id"] for j in latest["jobs"]] == [job, lint]
    every = _get(session, github, f"/actions/runs/{run}/jobs", filter="all")
    assert [j["id"] for j in every["jobs"]] == [earlier, job, lint]
    shown = latest["jobs"][0]
    assert (shown["name"], shown["conclusion"], shown["run_attempt"]) == ("test", "failure", 2)
    assert [(s["number"], s["name"], s["conclusion"]) for s in shown["steps"]] == [
        (1, "Set up job", "success"),
        (2, "Checkout", "success"),
        (3, "Run tests", "failure"),
        (4, "Upload", "skipped"),
        (5, "Complete job", "success"),
    ]
    assert all(s["started_at"] <= s["completed_at"] for s in shown["steps"])
    assert github.validation_errors == []


def test_a_log_comes_from_a_signed_url_that_must_not_see_the_token(
    github: GitHubFake, session: requests.Session
) -> None:
    run = github.add_workflow_run(head_branch="feature", head_sha="a" * 40)
    job = github.add_job(run, steps=[("Run tests", "failure")], log=LOG)
    logs = f"{github.api_url}/repos/{REPO}/actions/jobs/{job}/logs"

    # requests keeps Authorization on a redirect to the same host (the fake's), unlike
    # GitHub's, whose blob storage is another host: following naively sends the token.
    naive = session.get(logs, timeout=30)
    assert [r.status_code for r in naive.history] == [302]
    assert naive.status_code == 403
    assert [d.authorization for d in github.log_downloads_with_auth] == [f"Bearer {github.token}"]

    redirect = session.get(logs, allow_redirects=False, timeout=30)
    assert redirect.status_code == 302
    location = redirect.headers["Location"]
    assert not location.startswith(github.api_url)  # outside the API
    fetched = requests.get(location, timeout=30)  # no token
    assert (fetched.status_code, fetched.text) == (200, LOG)
    assert fetched.headers["Content-Type"].startswith("text/plain")
    assert requests.get(location.replace("sig=", "sig=x"), timeout=30).status_code == 403
    github.state.actions.link_seconds = -1  # links handed out from now on have expired
    expired = session.get(logs, allow_redirects=False, timeout=30).headers["Location"]
    assert requests.get(expired, timeout=30).status_code == 403
    assert len(github.log_downloads_with_auth) == 1
    assert github.validation_errors == []


def test_pygithub_reads_runs_jobs_and_the_log_url(github: GitHubFake, g: Github) -> None:
    run_id = github.add_workflow_run(head_branch="feature", head_sha="a" * 40)
    job_id = github.add_job(run_id, steps=[("Run tests", "failure")], log=LOG)
    repo = g.get_repo(REPO)
    run = repo.get_workflow_run(run_id)
    assert (run.conclusion, run.head_branch) == ("failure", "feature")
    assert [r.id for r in repo.get_workflow_runs(status="failure")] == [run_id]
    (job,) = run.jobs()
    assert (job.id, [s.name for s in job.steps][1]) == (job_id, "Run tests")
    assert requests.get(job.logs_url(), timeout=30).text == LOG
    assert github.log_downloads_with_auth == []
    assert github.validation_errors == []


def test_a_workflow_run_payload_is_in_the_fakes_repository(github: GitHubFake) -> None:
    pull = github.add_pull("feature", "main", "Say x")
    run_id = github.add_workflow_run(head_branch="feature", head_sha="a" * 40)
    event = workflow_run_event(
        run_id=run_id, head_branch="feature", head_sha="a" * 40, pull_numbers=[pull]
    )

    run = event["workflow_run"]
    assert event["action"] == "completed"
    assert event["repository"]["full_name"] == github.state.full_name
    assert event["repository"]["name"] == github.state.repo
    assert event["repository"]["owner"]["login"] == github.state.owner
    assert run["repository"]["full_name"] == run["head_repository"]["full_name"] == REPO
    assert (run["id"], run["conclusion"], run["head_sha"]) == (run_id, "failure", "a" * 40)
    assert run["jobs_url"].endswith(f"/repos/{REPO}/actions/runs/{run_id}/jobs")
    assert [(p["number"], p["head"]["ref"]) for p in run["pull_requests"]] == [(pull, "feature")]
    assert "octo-repo" not in str(event)
    fork = workflow_run_event(
        run_id=run_id,
        head_branch="feature",
        head_sha="a" * 40,
        pull_numbers=[pull],
        head_repo="mallory/hello-world",
    )["workflow_run"]
    assert fork["head_repository"]["full_name"] == "mallory/hello-world"
    assert fork["head_repository"]["fork"] is True
    assert fork["pull_requests"] == []  # GitHub lists none for a run from a fork
    assert (FIXTURES / "workflow_run.completed.2.json").exists()
    assert payload("workflow_run.completed.2")["workflow_run"]["conclusion"] == "success"
