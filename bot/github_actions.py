"""GitHub Actions' REST API: a commit's failed run, its failed jobs and their logs.

A job's log is a redirect to short-lived storage elsewhere: the bot reads the address
and downloads it without the token (the storage's own signature authorises it; the
token must never travel to another host). https://docs.github.com/rest/actions
"""

from __future__ import annotations

from collections import deque
from typing import Any

import requests
from github.Requester import Requester

from bot.errors import GitHubError
from bot.forge import CiJob, CiRun
from bot.github_errors import translated

# Conclusions of a job that did not succeed: the ones worth reading.
_NOT_GOOD = frozenset({"failure", "cancelled", "timed_out", "startup_failure"})


class GitHubActions:
    def __init__(self, requester: Requester, repo_url: str) -> None:
        self._requester = requester
        self._url = f"{repo_url}/actions"

    def _get(self, path: str, query: dict[str, Any], action: str) -> dict[str, Any]:
        with translated(action):
            _, data = self._requester.requestJsonAndCheck("GET", self._url + path, parameters=query)
        return data if isinstance(data, dict) else {}

    def failed_run(self, head_sha: str) -> CiRun | None:
        query = {"head_sha": head_sha, "status": "failure", "per_page": 1}
        data = self._get("/runs", query, f"list the runs of {head_sha[:12]}")
        runs = [r for r in data.get("workflow_runs") or [] if isinstance(r, dict)]
        if not runs:
            return None
        run = runs[0]
        return CiRun(
            int(run["id"]),
            str(run.get("name") or ""),
            str(run.get("head_sha") or head_sha),
            str(run.get("conclusion") or ""),
            str(run.get("html_url") or ""),
        )

    def failed_jobs(self, run: CiRun) -> list[CiJob]:
        query = {"filter": "latest", "per_page": 100}
        data = self._get(f"/runs/{run.id}/jobs", query, f"list the jobs of run {run.id}")
        found = []
        for job in data.get("jobs") or []:
            if not isinstance(job, dict) or job.get("conclusion") not in _NOT_GOOD:
                continue
            steps = [s for s in job.get("steps") or [] if isinstance(s, dict)]
            step = next((s.get("name") for s in steps if s.get("conclusion") == "failure"), None)
            found.append(
                CiJob(
                    run.workflow,
                    str(job.get("name") or ""),
                    int(job["id"]),
                    str(job["conclusion"]),
                    str(step) if step else None,
                    str(job.get("html_url") or ""),
                )
            )
        return found

    def job_log(self, job_id: int, limit: int) -> str:
        action = f"read the log of job {job_id}"
        with translated(action):
            status, headers, _ = self._requester.requestBlob(
                "GET", f"{self._url}/jobs/{job_id}/logs"
            )
        where = headers.get("location")
        if status != 302 or not where:
            raise GitHubError(f"GitHub refused to {action}: {status}")
        try:
            # No token here: the address carries its own short-lived authorisation.
            with requests.get(where, stream=True, timeout=30, allow_redirects=False) as got:
                got.raise_for_status()
                kept: deque[bytes] = deque()
                size = 0
                for chunk in got.iter_content(1 << 16):
                    kept.append(chunk)
                    size += len(chunk)
                    while size - len(kept[0]) >= limit:  # the end of a log says why it failed
                        size -= len(kept.popleft())
        except requests.RequestException as exc:
            raise GitHubError(f"The log of job {job_id} could not be downloaded: {exc}") from None
        return b"".join(kept)[-limit:].decode("utf-8", errors="replace")
