"""GitHub's real webhook payloads, and the variants GitHub publishes no example of."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of a published example, e.g. ``issue_comment.created.1``."""
    return copy.deepcopy(_load(name))


def comment_event(
    body: str,
    *,
    login: str = "Codertocat",
    user_type: str = "User",
    issue_number: int | None = None,
    comment_id: int | None = None,
    on_pull_request: bool = False,
    repository: str = "octo-org/hello-world",
    action: str = "created",
) -> dict[str, Any]:
    """An ``issue_comment`` event built on GitHub's example, in the test's repository."""
    event = in_repository(payload("issue_comment.created.1"), repository)
    event["action"] = action
    event["comment"]["body"] = body
    for user in (event["comment"]["user"], event["sender"]):
        user["login"] = login
        user["type"] = user_type
    if issue_number is not None:
        event["issue"]["number"] = issue_number
    if comment_id is not None:
        event["comment"]["id"] = comment_id
    if on_pull_request:
        number = event["issue"]["number"]
        api = event["repository"]["url"]
        event["issue"]["pull_request"] = {
            "url": f"{api}/pulls/{number}",
            "html_url": f"{event['repository']['html_url']}/pull/{number}",
            "diff_url": f"{event['repository']['html_url']}/pull/{number}.diff",
            "patch_url": f"{event['repository']['html_url']}/pull/{number}.patch",
        }
    return event


def in_repository(event: dict[str, Any], full_name: str) -> dict[str, Any]:
    """The example moved to the repository the fakes serve (default branch ``main``)."""
    event["repository"]["full_name"] = full_name
    event["repository"]["name"] = full_name.split("/")[1]
    event["repository"]["default_branch"] = "main"
    return event


def dispatch_event(prompt: str | None) -> dict[str, Any]:
    event = in_repository(payload("workflow_dispatch.event.0"), "octo-org/hello-world")
    event["inputs"] = {} if prompt is None else {"prompt": prompt}
    return event


def schedule_event(cron: str = "17 3 * * *") -> dict[str, Any]:
    # GitHub publishes no schedule payload; inside Actions it can be this small.
    return {"schedule": cron}


def label_event(
    label: str = "codex",
    *,
    login: str = "Codertocat",
    action: str = "labeled",
    on_pull_request: bool = False,
) -> dict[str, Any]:
    """GitHub's ``issues`` ``labeled`` example, in the test's repository, with ``label``."""
    event = in_repository(payload("issues.labeled.9"), "octo-org/hello-world")
    event["action"] = action
    event["label"]["name"] = label
    event["sender"]["login"] = login
    if on_pull_request:
        event["issue"]["pull_request"] = {"url": f"{event['repository']['url']}/pulls/1"}
    return event
