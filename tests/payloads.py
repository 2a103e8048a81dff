"""GitHub's real webhook payloads, and the variants GitHub publishes no example of."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
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


# Where GitHub's pull-request examples happen, and the ids they give their comment and review.
EXAMPLE_REPOSITORY = "Codertocat/Hello-World"
EXAMPLE_COMMENT_ID = 284312630
EXAMPLE_REVIEW_ID = 237895671
REPOSITORY = "octo-org/hello-world"


def _rewrite(node: Any, change: Callable[[str], str]) -> Any:
    """`node` with `change` applied to every string in it (the URLs, names and labels)."""
    if isinstance(node, str):
        return change(node)
    if isinstance(node, list):
        return [_rewrite(v, change) for v in node]
    if isinstance(node, dict):
        return _rewritten(node, change)
    return node


def _rewritten(obj: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    return {k: _rewrite(v, change) for k, v in obj.items()}


def _renumbered(thing: dict[str, Any], new_id: int) -> dict[str, Any]:
    """`thing` (a comment, a review) with id `new_id`, in its URLs too (``.../comments/ID``,
    ``#discussion_rID``, ``#pullrequestreview-ID``)."""
    old = re.compile(rf"(?<!\d){thing['id']}(?!\d)")
    return _rewritten(thing, lambda s: old.sub(str(new_id), s)) | {"id": new_id}


def _as_user(user: dict[str, Any], login: str, user_type: str = "User") -> None:
    """`user` made `login`'s, its URLs (``.../users/<login>/...``) included."""
    old = user["login"]
    user.update(_rewritten(user, lambda s: s.replace(f"/{old}", f"/{login}")))
    user["login"], user["type"] = login, user_type


def _on_pull(
    name: str, pull_number: int, head_repo: str | None, head_ref: str, base_ref: str
) -> dict[str, Any]:
    """A pull-request example moved, URLs and all, to the test's repository (owned by the
    organization ``octo-org``, default branch ``main``) and to pull request `pull_number`
    from `head_ref` of `head_repo` (a fork when it is not the repository) into `base_ref`."""
    event = payload(name)
    old_number = event["pull_request"]["number"]
    event = _rewritten(event, lambda s: s.replace(EXAMPLE_REPOSITORY, REPOSITORY))
    # /pulls/2, /pull/2#..., /issues/2/comments: the pull request's own URLs
    number = re.compile(rf"/(pulls|pull|issues)/{old_number}\b")
    event = _rewritten(event, lambda s: number.sub(rf"/\1/{pull_number}", s))
    pull = event["pull_request"]
    pull["number"] = pull_number
    head, base = pull["head"], pull["base"]
    org, repo_name = REPOSITORY.split("/")
    for repo in (event["repository"], base["repo"], head["repo"]):
        repo["name"], repo["default_branch"] = repo_name, "main"
        _as_user(repo["owner"], org, "Organization")
    for user in (base["user"], head["user"]):
        _as_user(user, org, "Organization")
    base["ref"], base["label"] = base_ref, f"{org}:{base_ref}"
    fork = head_repo or REPOSITORY
    if fork != REPOSITORY:
        fork_owner, fork_name = fork.split("/")
        head["repo"] = _rewritten(head["repo"], lambda s: s.replace(REPOSITORY, fork))
        head["repo"]["name"], head["repo"]["fork"] = fork_name, True
        # the fork's owner owns its branch and opened the pull request
        for user in (head["repo"]["owner"], head["user"], pull["user"]):
            _as_user(user, fork_owner)
    head["ref"], head["label"] = head_ref, f"{fork.split('/')[0]}:{head_ref}"
    return event


def review_comment_event(
    body: str,
    *,
    pull_number: int = 1,
    comment_id: int = EXAMPLE_COMMENT_ID,
    path: str = "src/app.py",
    line: int = 2,
    start_line: int | None = None,
    diff_hunk: str = "@@ -1 +1,2 @@\n print('hi')\n+print('x')",
    in_reply_to: int | None = None,
    review_id: int | None = None,
    login: str = "Codertocat",
    user_type: str = "User",
    head_repo: str | None = None,
    head_ref: str = "feature",
    base_ref: str = "main",
) -> dict[str, Any]:
    """GitHub's ``pull_request_review_comment`` ``created`` example, moved to the test's
    repository: `login` commented `body` on `line` (from `start_line`) of `path` on the
    right side of the diff, in reply to comment `in_reply_to` (a thread's first comment)
    when given."""
    event = _on_pull(
        "pull_request_review_comment.created.1", pull_number, head_repo, head_ref, base_ref
    )
    event["comment"] = _renumbered(event["comment"], comment_id)
    c = event["comment"]
    c.update(
        id=comment_id,
        body=body,
        path=path,
        line=line,
        original_line=line,
        start_line=start_line,
        original_start_line=start_line,
        start_side=None if start_line is None else "RIGHT",
        side="RIGHT",
        diff_hunk=diff_hunk,
        pull_request_review_id=EXAMPLE_REVIEW_ID if review_id is None else review_id,
    )
    if in_reply_to is not None:  # GitHub leaves the field out of a thread's first comment
        c["in_reply_to_id"] = in_reply_to
    for user in (c["user"], event["sender"]):
        _as_user(user, login, user_type)
    return event


def review_event(
    body: str | None,
    *,
    state: str = "changes_requested",
    pull_number: int = 1,
    review_id: int = EXAMPLE_REVIEW_ID,
    login: str = "Codertocat",
    head_repo: str | None = None,
    head_ref: str = "feature",
    base_ref: str = "main",
) -> dict[str, Any]:
    """GitHub's ``pull_request_review`` ``submitted`` example, moved to the test's repository:
    `login` submitted review `review_id` in `state` (lower case, as webhooks spell it)."""
    event = _on_pull("pull_request_review.submitted.0", pull_number, head_repo, head_ref, base_ref)
    event["review"] = _renumbered(event["review"], review_id)
    event["review"].update(id=review_id, body=body, state=state)
    for user in (event["review"]["user"], event["sender"]):
        _as_user(user, login)
    return event


EXAMPLE_RUN_REPOSITORY = "octo-org/octo-repo"  # where GitHub's workflow_run example happens


def workflow_run_event(
    *,
    run_id: int,
    head_branch: str,
    head_sha: str,
    conclusion: str | None = "failure",
    pull_numbers: Sequence[int] = (),
    name: str = "CI",
    head_repo: str | None = None,
    path: str = ".github/workflows/ci.yml",
    event: str = "pull_request",
    base_ref: str = "main",
    login: str = "Codertocat",
) -> dict[str, Any]:
    """GitHub's ``workflow_run`` ``completed`` example moved, URLs and all, to the test's
    repository: run `run_id` of workflow `name` (`path`), triggered by `event` on
    `head_branch` at `head_sha` of `head_repo` (a fork when it is not the repository),
    completed with `conclusion`, for the pull requests `pull_numbers` into `base_ref`; as on
    GitHub, a run from a fork lists no pull requests."""
    example = payload("workflow_run.completed.2")
    runs = re.compile(rf"/runs/{example['workflow_run']['id']}\b")
    changed = _rewritten(
        example,
        lambda s: runs.sub(f"/runs/{run_id}", s.replace(EXAMPLE_RUN_REPOSITORY, REPOSITORY)),
    )
    repo_name = REPOSITORY.split("/")[1]
    run = changed["workflow_run"]
    for repo in (changed["repository"], run["repository"], run["head_repository"]):
        repo["name"] = repo_name
    changed["repository"]["default_branch"] = "main"
    fork = head_repo or REPOSITORY
    if fork != REPOSITORY:
        fork_owner, fork_name = fork.split("/")
        head = _rewritten(run["head_repository"], lambda s: s.replace(REPOSITORY, fork))
        head["name"], head["fork"] = fork_name, True
        _as_user(head["owner"], fork_owner)
        run["head_repository"] = head
    workflow = changed["workflow"]
    workflow["name"], workflow["path"] = name, path
    workflow["html_url"] = f"https://github.com/{REPOSITORY}/blob/main/{path}"
    example_pull = example["workflow_run"]["pull_requests"][0]
    repo_ref = {"id": run["repository"]["id"], "url": run["repository"]["url"], "name": repo_name}
    pulls = [
        {
            "url": f"{run['repository']['url']}/pulls/{n}",
            "id": example_pull["id"] + n,
            "number": n,
            "head": {"ref": head_branch, "sha": head_sha, "repo": dict(repo_ref)},
            "base": {"ref": base_ref, "sha": example_pull["base"]["sha"], "repo": dict(repo_ref)},
        }
        for n in pull_numbers
    ]
    run.update(id=run_id, name=name, path=path, event=event, conclusion=conclusion)
    run.update(status="completed", head_branch=head_branch, head_sha=head_sha)
    run["pull_requests"] = pulls if fork == REPOSITORY else []
    run["head_commit"]["id"] = head_sha
    for user in (changed["sender"], run["actor"], run["triggering_actor"]):
        _as_user(user, login)
    return changed
