"""The GitHub fake's handlers for issues, their comments and reactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .github_issue_shapes import comment_json, issue_json, reaction_json
from .github_operations import op
from .github_shapes import label_json
from .github_state import (
    Comment,
    GitHubState,
    HTTPError,
    Issue,
    Reaction,
    Reply,
    check_body,
    invalid,
    now,
)


@op("issues/list-comments")
def list_comments(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    number = st.issue(int(p["issue_number"])).number
    found = [c for c in st.comments.values() if c.issue_number == number]
    if "since" in q:
        since = datetime.fromisoformat(q["since"])
        found = [c for c in found if datetime.fromisoformat(c.updated_at) >= since]
    status, items, headers = st.paginate(
        found, f"/repos/{st.full_name}/issues/{number}/comments", q
    )
    return status, [comment_json(st, c) for c in items], headers


@op("issues/create-comment")
def create_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    issue = st.issue(int(p["issue_number"]))
    check_body("IssueComment", body["body"])
    c = add_comment(st, issue.number, body["body"], st.app_login)
    return 201, comment_json(st, c), {"Location": comment_json(st, c)["url"]}


def add_comment(st: GitHubState, number: int, text: str, login: str) -> Comment:
    ts = now()
    c = Comment(st.next_id(), number, text, login, ts, ts)
    st.comments[c.id] = c
    st.issues[number].updated_at = ts
    return c


@op("issues/get-comment")
def get_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return 200, comment_json(st, st.comment(int(p["comment_id"]))), {}


@op("issues/update-comment")
def update_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    c = st.comment(int(p["comment_id"]))
    check_body("IssueComment", body["body"])
    c.body, c.updated_at = body["body"], now()
    return 200, comment_json(st, c), {}


def react(st: GitHubState, key: tuple[str, int], content: str) -> Reply:
    """The token's `content` reaction on what `key` names (its rollup's key): 201 when new,
    200 with the one it already left, as GitHub answers."""
    found = st.reactions.setdefault(key, [])
    for r in found:
        if r.user == st.app_login and r.content == content:
            return 200, reaction_json(st, r), {}
    r = Reaction(st.next_id(), content, st.app_login, now())
    found.append(r)
    return 201, reaction_json(st, r), {}


@op("reactions/create-for-issue-comment")
def react_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return react(st, ("comment", st.comment(int(p["comment_id"])).id), body["content"])


@op("reactions/create-for-issue")
def react_issue(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return react(st, ("issue", st.issue(int(p["issue_number"])).number), body["content"])


@op("issues/list-for-repo")
def list_issues(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    """Issues and, as on GitHub, pull requests (their JSON has `pull_request`), newest first
    unless `sort`/`direction` say otherwise. `labels`: those having every one of the
    comma-separated names (any case). The fake has no milestones and no issue types."""
    state = q.get("state", "open")
    found = [i for i in st.issues.values() if state in ("all", i.state)]
    for name in filter(None, (n.strip().lower() for n in q.get("labels", "").split(","))):
        found = [i for i in found if name in (label.lower() for label in i.labels)]
    if "creator" in q:
        found = [i for i in found if i.user.lower() == q["creator"].lower()]
    assignee = q.get("assignee", "*").lower()
    if assignee == "none":
        found = [i for i in found if not i.assignees]
    elif assignee != "*":
        found = [i for i in found if assignee in (a.lower() for a in i.assignees)]
    if q.get("milestone", "none") != "none" or q.get("type", "none") != "none":
        found = []
    if "since" in q:
        since = datetime.fromisoformat(q["since"])
        found = [i for i in found if datetime.fromisoformat(i.updated_at) >= since]
    key = {"updated": "updated_at", "comments": "comments"}.get(q.get("sort", ""), "created_at")
    found.sort(
        key=lambda i: (st.comment_count(i) if key == "comments" else getattr(i, key), i.number),
        reverse=q.get("direction", "desc") == "desc",
    )
    status, items, headers = st.paginate(found, f"/repos/{st.full_name}/issues", q)
    return status, [issue_json(st, i) for i in items], headers


@op("issues/create")
def create_issue(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    """An issue by the token's identity; labels that do not exist yet are created, as GitHub
    does, and one that exists in another case is that one."""
    title = str(body["title"])
    if not title.strip():
        raise invalid({"resource": "Issue", "code": "missing_field", "field": "title"})
    check_body("Issue", body.get("body"))
    labels: list[str] = []
    for x in body.get("labels") or []:
        name = x if isinstance(x, str) else x.get("name", "")
        if not name:
            continue
        known = next((n for n in st.labels if n.lower() == name.lower()), None)
        if known is None:
            st.labels[name] = st.next_id()
        if (known or name) not in labels:
            labels.append(known or name)
    wanted = body.get("assignees") or ([body["assignee"]] if body.get("assignee") else [])
    i = add_issue(st, title, body.get("body"), st.app_login, labels=labels)
    i.assignees = _assignable(st, wanted)
    made = issue_json(st, i)
    return 201, made, {"Location": made["url"]}


@op("issues/get")
def get_issue(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return 200, issue_json(st, st.issue(int(p["issue_number"]))), {}


def set_state(st: GitHubState, i: Issue, state: str, reason: str | None = None) -> None:
    """Close or reopen `i`; reopening a pull request fails while its head has another."""
    if state != i.state:
        if (
            state == "open"
            and i.is_pull
            and i.base
            and st.open_pull(st.head_label(i), i.base, other_than=i.number)
        ):
            raise invalid(
                {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"A pull request already exists for {st.head_label(i)}.",
                }
            )
        i.state, i.closed_at = state, (now() if state == "closed" else None)
        i.state_reason = reason or ("completed" if state == "closed" else "reopened")


@op("issues/update")
def update_issue(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    i = st.issue(int(p["issue_number"]))
    if "title" in body and body["title"] is not None:
        i.title = str(body["title"])
    if "body" in body:
        check_body("Issue", body["body"])
        i.body = body["body"]
    if "labels" in body:
        i.labels = [x if isinstance(x, str) else x["name"] for x in body["labels"] or []]
    if "assignees" in body or "assignee" in body:
        wanted = body.get("assignees") or ([body["assignee"]] if body.get("assignee") else [])
        i.assignees = _assignable(st, wanted)
    if "state" in body:
        set_state(st, i, body["state"], body.get("state_reason"))
    i.updated_at = now()
    return 200, issue_json(st, i), {}


def _assignable(st: GitHubState, logins: list[Any]) -> list[str]:
    """GitHub silently drops assignees who cannot be assigned (here: no collaborator)."""
    names = [x if isinstance(x, str) else x["login"] for x in logins]
    return [n for n in names if st.permissions.get(n, "none") != "none"]


@op("issues/add-labels")
def add_labels(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    i = st.issue(int(p["issue_number"]))
    for x in body["labels"]:
        name = x if isinstance(x, str) else x["name"]
        if name not in i.labels:
            i.labels.append(name)
    i.updated_at = now()
    return 200, [label_json(st, n) for n in i.labels], {}


@op("issues/remove-label")
def remove_label(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    i = st.issue(int(p["issue_number"]))
    if p["name"] not in i.labels:
        raise HTTPError(404, "Label does not exist")
    i.labels.remove(p["name"])
    i.updated_at = now()
    return 200, [label_json(st, n) for n in i.labels], {}


@op("issues/add-assignees")
def add_assignees(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    i = st.issue(int(p["issue_number"]))
    i.assignees += [a for a in _assignable(st, body.get("assignees", [])) if a not in i.assignees]
    i.updated_at = now()
    return 201, issue_json(st, i), {}


def add_issue(st: GitHubState, title: str, text: str | None, login: str, **kw: Any) -> Issue:
    ts = now()
    i = Issue(len(st.issues) + 1, st.next_id(), title, text, login, ts, ts, **kw)
    st.issues[i.number] = i
    return i
