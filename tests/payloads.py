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
    repository: str | None = None,
    action: str = "created",
) -> dict[str, Any]:
    """An ``issue_comment`` event built on GitHub's example, with our own fields."""
    event = payload("issue_comment.created.1")
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
    if repository is not None:
        event["repository"]["full_name"] = repository
    return event


def dispatch_event(prompt: str | None) -> dict[str, Any]:
    event = payload("workflow_dispatch.event.0")
    event["inputs"] = {} if prompt is None else {"prompt": prompt}
    return event


def schedule_event(cron: str = "17 3 * * *") -> dict[str, Any]:
    # GitHub publishes no schedule payload; inside Actions it can be this small.
    return {"schedule": cron}
