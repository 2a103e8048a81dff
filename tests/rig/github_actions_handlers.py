"""The GitHub fake's handlers for workflow runs, their jobs and the jobs' logs (the records
are in github_actions.py), and the blob storage a log is downloaded from."""

from __future__ import annotations

import json
import secrets
import time
import zlib
from functools import cache
from typing import Any
from urllib.parse import parse_qs

from werkzeug.datastructures import Headers

from .github_actions import LOG_PREFIX, Job, LogDownload, LogLink, WorkflowRun
from .github_openapi import SPEC_PATH
from .github_operations import op
from .github_shapes import repository_json, user_json
from .github_state import JSON, GitHubState, HTTPError, Reply, fake_sha


@cache
def _minimal_repository() -> list[str]:
    """The fields GitHub shows of a repository in a workflow run: `minimal-repository`'s
    required ones."""
    data = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    fields: list[str] = data["components"]["schemas"]["minimal-repository"]["required"]
    return fields


def _repository(st: GitHubState, full_name: str) -> JSON:
    repo = repository_json(st, full_name)
    return {k: repo[k] for k in _minimal_repository()}


def _pull_json(st: GitHubState, number: int) -> JSON:
    p = st.issue(number, pull=True)
    repo = {"id": repository_json(st)["id"], "url": st.repo_api, "name": st.repo}
    return {
        "id": p.pull_id,
        "number": p.number,
        "url": f"{st.repo_api}/pulls/{p.number}",
        "head": {"ref": p.head, "sha": st.sha(p, "head"), "repo": repo},
        "base": {"ref": p.base, "sha": st.sha(p, "base"), "repo": repo},
    }


def _head_commit(st: GitHubState, run: WorkflowRun) -> JSON:
    git = st.git_objects
    if git is not None and git.kind(run.head_sha) == "commit":
        info = git.commit_info(run.head_sha)
        author, committer = info["author"], info["committer"]
        tree, message, timestamp = info["tree"], info["message"], committer["date"]
    else:  # a commit the fake has no objects of
        author = committer = {"name": "The Octocat", "email": "octocat@example.com"}
        tree, message, timestamp = fake_sha(run.head_sha), "Update the project", run.created_at
    return {
        "id": run.head_sha,
        "tree_id": tree,
        "message": message,
        "timestamp": timestamp,
        "author": {"name": author["name"], "email": author["email"]},
        "committer": {"name": committer["name"], "email": committer["email"]},
    }


def run_json(st: GitHubState, run: WorkflowRun, *, with_pulls: bool = True) -> JSON:
    api, web = f"{st.repo_api}/actions/runs/{run.id}", f"{st.web}/{st.full_name}"
    workflow_id = zlib.crc32(run.path.encode()) % 10_000_000 + 1
    actor = user_json(st, run.actor)
    return {
        "id": run.id,
        "name": run.name,
        "node_id": f"WFR_{run.id}",
        "check_suite_id": run.id + 7,
        "check_suite_node_id": f"CS_{run.id + 7}",
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.path,
        "display_title": run.name,
        "run_number": run.run_number,
        "run_attempt": run.run_attempt,
        "referenced_workflows": [],
        "event": run.event,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": workflow_id,
        "url": api,
        "html_url": f"{web}/actions/runs/{run.id}",
        "pull_requests": [_pull_json(st, n) for n in run.pull_numbers] if with_pulls else [],
        "created_at": run.created_at,
        "updated_at": run.updated_at,
        "actor": actor,
        "triggering_actor": actor,
        "run_started_at": run.created_at,
        "jobs_url": f"{api}/jobs",
        "logs_url": f"{api}/logs",
        "check_suite_url": f"{st.repo_api}/check-suites/{run.id + 7}",
        "artifacts_url": f"{api}/artifacts",
        "cancel_url": f"{api}/cancel",
        "rerun_url": f"{api}/rerun",
        "previous_attempt_url": (
            f"{api}/attempts/{run.run_attempt - 1}" if run.run_attempt > 1 else None
        ),
        "workflow_url": f"{st.repo_api}/actions/workflows/{workflow_id}",
        "head_commit": _head_commit(st, run),
        "repository": _repository(st, st.full_name),
        "head_repository": _repository(st, run.head_repo),
    }


def job_json(st: GitHubState, job: Job) -> JSON:
    run = st.actions.runs[job.run_id]
    return {
        "id": job.id,
        "run_id": job.run_id,
        "run_url": f"{st.repo_api}/actions/runs/{job.run_id}",
        "run_attempt": job.run_attempt,
        "node_id": f"CR_{job.id}",
        "head_sha": run.head_sha,
        "url": f"{st.repo_api}/actions/jobs/{job.id}",
        "html_url": f"{st.web}/{st.full_name}/actions/runs/{job.run_id}/job/{job.id}",
        "status": job.status,
        "conclusion": job.conclusion,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "completed_at": job.completed_at,
        "name": job.name,
        "steps": [vars(s).copy() for s in job.steps],
        "check_run_url": f"{st.repo_api}/check-runs/{job.id}",
        "labels": ["ubuntu-latest"],
        "runner_id": 1,
        "runner_name": "GitHub Actions 1",
        "runner_group_id": 2,
        "runner_group_name": "GitHub Actions",
        "workflow_name": run.name,
        "head_branch": run.head_branch,
    }


def _run(st: GitHubState, p: dict[str, str]) -> WorkflowRun:
    run = st.actions.runs.get(int(p["run_id"]))
    if run is None:
        raise HTTPError(404, "Not Found")
    return run


@op("actions/list-workflow-runs-for-repo")
def list_runs(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    runs = [
        r
        for r in st.actions.runs.values()
        if q.get("branch") in (None, r.head_branch)
        and q.get("event") in (None, r.event)
        and q.get("actor") in (None, r.actor)
        and q.get("head_sha") in (None, r.head_sha)
        # `status` takes a status or a conclusion
        and q.get("status") in (None, r.status, r.conclusion)
    ]
    runs.sort(key=lambda r: (r.created_at, r.id), reverse=True)  # newest first
    status, page, headers = st.paginate(runs, f"/repos/{st.full_name}/actions/runs", q)
    with_pulls = q.get("exclude_pull_requests") != "true"
    found = [run_json(st, r, with_pulls=with_pulls) for r in page]
    return status, {"total_count": len(runs), "workflow_runs": found}, headers


@op("actions/get-workflow-run")
def get_run(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    with_pulls = q.get("exclude_pull_requests") != "true"
    return 200, run_json(st, _run(st, p), with_pulls=with_pulls), {}


@op("actions/list-jobs-for-workflow-run")
def list_jobs(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    run = _run(st, p)
    jobs = [
        j
        for j in st.actions.jobs.values()
        if j.run_id == run.id and (q.get("filter") == "all" or j.run_attempt == run.run_attempt)
    ]
    path = f"/repos/{st.full_name}/actions/runs/{run.id}/jobs"
    status, page, headers = st.paginate(jobs, path, q)
    return status, {"total_count": len(jobs), "jobs": [job_json(st, j) for j in page]}, headers


@op("actions/download-job-logs-for-workflow-run")
def download_job_logs(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    job = st.actions.jobs.get(int(p["job_id"]))
    if job is None:
        raise HTTPError(404, "Not Found")
    name, signature = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    st.actions.links[name] = LogLink(job.id, signature, time.time() + st.actions.link_seconds)
    # No body: the client follows Location, a URL that needs no token.
    return 302, None, {"Location": f"{st.web}{LOG_PREFIX}{name}?sig={signature}"}


def serve_log(
    st: GitHubState, path: str, query: str, headers: Headers
) -> tuple[int, dict[str, str], bytes]:
    """A request to a log's download URL, answered as blob storage answers a signed URL:
    the log as text; 403 for a request with an Authorization header (recorded), a wrong
    signature or an expired link; 404 for a name never handed out."""
    link = st.actions.links.get(path.removeprefix(LOG_PREFIX))
    signature = (parse_qs(query).get("sig") or [""])[0]
    if headers.get("Authorization") is not None:
        status, text = 403, "AuthenticationFailed: the URL is signed; send no Authorization."
    elif link is None:
        status, text = 404, "BlobNotFound: The specified blob does not exist."
    elif not secrets.compare_digest(signature, link.signature):
        status, text = 403, "AuthenticationFailed: Signature did not match."
    elif time.time() > link.expires:
        status, text = 403, "AuthenticationFailed: Signed expiry time has passed."
    else:
        status, text = 200, st.actions.jobs[link.job_id].log
    st.actions.downloads.append(LogDownload(path, headers.get("Authorization"), status))
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()
