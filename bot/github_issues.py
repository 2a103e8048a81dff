"""The tracking issue of a fleet, through GitHub's issues API: found by its label and the
bot's hidden mark, opened, edited, closed and reopened. One request each."""

from __future__ import annotations

from typing import Any

from github import Auth, Github

from bot.github_errors import translated


class GitHubIssues:
    """A ``fleet_rollup.Tracker`` for one repository."""

    def __init__(self, *, api_url: str, repository: str, token: str) -> None:
        self._gh = Github(
            auth=Auth.Token(token), base_url=api_url, lazy=True, timeout=30,
            seconds_between_requests=0, seconds_between_writes=0,
        )  # fmt: skip
        self._url = self._gh.get_repo(repository).url + "/issues"

    def close(self) -> None:
        self._gh.close()

    def _call(self, verb: str, path: str, action: str, **given: Any) -> Any:
        with translated(action):
            _, data = self._gh.requester.requestJsonAndCheck(verb, self._url + path, **given)
        return data

    def find_issue(self, label: str, mark: str) -> tuple[int, bool] | None:
        query = {"labels": label, "state": "all", "per_page": 100}
        found = self._call("GET", "", "list the fleet's issues", parameters=query)
        for issue in found if isinstance(found, list) else []:
            if not isinstance(issue, dict) or "pull_request" in issue:
                continue
            if mark in str(issue.get("body") or ""):
                return int(issue["number"]), issue.get("state") == "open"
        return None

    def open_issue(self, title: str, body: str, label: str) -> int:
        given = {"title": title, "body": body, "labels": [label]}
        made = self._call("POST", "", "open the fleet's tracking issue", input=given)
        return int(made["number"])

    def edit_issue(self, number: int, body: str, *, open: bool) -> None:
        state = {"state": "open"} if open else {"state": "closed", "state_reason": "completed"}
        self._call("PATCH", f"/{number}", f"edit issue #{number}", input={"body": body} | state)
