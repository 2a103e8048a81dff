"""One handler per GitHub REST operation of the fake, keyed by operationId.

A handler gets the state (lock held), the path parameters, the query (plain strings) and the
parsed JSON body; it returns (status, JSON, extra headers) or raises HTTPError. Requests reach
it only after they passed OpenAPI validation and authentication.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .github_state import (
    LEGACY,
    Comment,
    GitHubState,
    HTTPError,
    Issue,
    Reaction,
    Reply,
    fake_sha,
    invalid,
    not_found,
    now,
)

Handler = Callable[[GitHubState, dict[str, str], dict[str, str], Any], Reply]
HANDLERS: dict[str, Handler] = {}


def op(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn

    return register


@op("repos/get")
def get_repo(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return 200, st.full_repository(), {}


@op("repos/get-collaborator-permission-level")
def get_permission(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    login = next((u for u in st.user_types if u.lower() == p["username"].lower()), None)
    if login is None:  # GitHub: 404 for a login that does not exist
        raise not_found()
    # A user GitHub knows who is no collaborator: "read" on a public repository, else "none".
    role = st.permissions.get(login, "none" if st.private else "read")
    user = st.user(login) | {
        "role_name": role,
        "permissions": {
            "admin": role == "admin",
            "maintain": role in ("admin", "maintain"),
            "push": LEGACY[role] in ("admin", "write"),
            "triage": role not in ("read", "none"),
            "pull": role != "none",
        },
    }
    return 200, {"permission": LEGACY[role], "role_name": role, "user": user}, {}


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
    return status, [st.comment_json(c) for c in items], headers


@op("issues/create-comment")
def create_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    issue = st.issue(int(p["issue_number"]))
    c = add_comment(st, issue.number, body["body"], st.app_login)
    return 201, st.comment_json(c), {"Location": st.comment_json(c)["url"]}


def add_comment(st: GitHubState, number: int, text: str, login: str) -> Comment:
    ts = now()
    c = Comment(st.next_id(), number, text, login, ts, ts)
    st.comments[c.id] = c
    st.issues[number].updated_at = ts
    return c


@op("issues/get-comment")
def get_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return 200, st.comment_json(st.comment(int(p["comment_id"]))), {}


@op("issues/update-comment")
def update_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    c = st.comment(int(p["comment_id"]))
    c.body, c.updated_at = body["body"], now()
    return 200, st.comment_json(c), {}


def _react(st: GitHubState, key: tuple[str, int], content: str) -> Reply:
    found = st.reactions.setdefault(key, [])
    for r in found:
        if r.user == st.app_login and r.content == content:
            return 200, st.reaction_json(r), {}
    r = Reaction(st.next_id(), content, st.app_login, now())
    found.append(r)
    return 201, st.reaction_json(r), {}


@op("reactions/create-for-issue-comment")
def react_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return _react(st, ("comment", st.comment(int(p["comment_id"])).id), body["content"])


@op("reactions/create-for-issue")
def react_issue(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return _react(st, ("issue", st.issue(int(p["issue_number"])).number), body["content"])


@op("issues/get")
def get_issue(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return 200, st.issue_json(st.issue(int(p["issue_number"]))), {}


def _set_state(st: GitHubState, i: Issue, state: str, reason: str | None = None) -> None:
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
        i.body = body["body"]
    if "labels" in body:
        i.labels = [x if isinstance(x, str) else x["name"] for x in body["labels"] or []]
    if "assignees" in body or "assignee" in body:
        wanted = body.get("assignees") or ([body["assignee"]] if body.get("assignee") else [])
        i.assignees = _assignable(st, wanted)
    if "state" in body:
        _set_state(st, i, body["state"], body.get("state_reason"))
    i.updated_at = now()
    return 200, st.issue_json(i), {}


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
    return 200, [st.label(n) for n in i.labels], {}


@op("issues/add-assignees")
def add_assignees(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    i = st.issue(int(p["issue_number"]))
    i.assignees += [a for a in _assignable(st, body.get("assignees", [])) if a not in i.assignees]
    i.updated_at = now()
    return 201, st.issue_json(i), {}


@op("pulls/list")
def list_pulls(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    state = q.get("state", "open")
    found = [i for i in st.issues.values() if i.is_pull and state in ("all", i.state)]
    if ":" in q.get("head", ""):  # GitHub silently ignores a head without "owner:"
        found = [i for i in found if st.head_label(i).lower() == q["head"].lower()]
    if "base" in q:
        found = [i for i in found if i.base == q["base"]]
    key = "updated_at" if q.get("sort") == "updated" else "created_at"
    found.sort(
        key=lambda i: (getattr(i, key), i.number),
        reverse=q.get("direction", "asc" if "sort" in q and key != "created_at" else "desc")
        == "desc",
    )
    status, items, headers = st.paginate(found, f"/repos/{st.full_name}/pulls", q)
    return status, [st.pull_json(i, simple=True) for i in items], headers


@op("pulls/create")
def create_pull(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    head, base = body["head"], body["base"]
    head_owner, _, ref = head.rpartition(":")
    head_repo = body.get("head_repo") or (f"{head_owner}/{st.repo}" if head_owner else st.full_name)
    if head_repo.lower() == st.full_name.lower():
        head_repo = st.full_name
    if "issue" in body:
        raise HTTPError(422, "The GitHub fake does not convert issues to pull requests.")
    if st.branch_sha(base) is None:
        raise invalid({"resource": "PullRequest", "field": "base", "code": "invalid"})
    if head_repo == st.full_name and st.branch_sha(ref) is None:
        raise invalid({"resource": "PullRequest", "field": "head", "code": "invalid"})
    if not body.get("title"):
        raise invalid({"resource": "Issue", "field": "title", "code": "missing_field"})
    label = f"{head_repo.split('/')[0]}:{ref}"
    if st.open_pull(label, base):
        raise invalid(
            {
                "resource": "PullRequest",
                "code": "custom",
                "message": f"A pull request already exists for {label}.",
            }
        )
    if head_repo == st.full_name and st.commits_between(base, ref) == 0:
        raise invalid(
            {
                "resource": "PullRequest",
                "code": "custom",
                "message": f"No commits between {base} and {head}",
            }
        )
    i = add_pull(
        st,
        ref,
        base,
        body["title"],
        body.get("body"),
        st.app_login,
        head_repo,
        draft=body.get("draft", False),
        maintainer_can_modify=body.get("maintainer_can_modify", False),
    )
    data = st.pull_json(i)
    return 201, data, {"Location": data["url"]}


def add_issue(st: GitHubState, title: str, text: str | None, login: str, **kw: Any) -> Issue:
    ts = now()
    i = Issue(len(st.issues) + 1, st.next_id(), title, text, login, ts, ts, **kw)
    st.issues[i.number] = i
    return i


def add_pull(
    st: GitHubState,
    head: str,
    base: str,
    title: str,
    text: str | None,
    login: str,
    head_repo: str | None = None,
    **kw: Any,
) -> Issue:
    head_repo = head_repo or st.full_name
    sha = st.branch_sha(head) if head_repo == st.full_name else fake_sha(f"{head_repo}:{head}")
    return add_issue(
        st,
        title,
        text,
        login,
        head=head,
        base=base,
        head_repo=head_repo,
        pull_id=st.next_id(),
        head_sha=sha,
        **kw,
    )


@op("pulls/get")
def get_pull(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    data = st.pull_json(st.issue(int(p["pull_number"]), pull=True))
    data.update(mergeable=True, rebaseable=True, mergeable_state="clean")  # computed by now
    return 200, data, {}


@op("pulls/update")
def update_pull(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    i = st.issue(int(p["pull_number"]), pull=True)
    if "base" in body and st.branch_sha(body["base"]) is None:
        raise invalid({"resource": "PullRequest", "field": "base", "code": "invalid"})
    for key in ("title", "body", "base", "maintainer_can_modify"):
        if key in body:
            setattr(i, key, body[key])
    if "state" in body:
        _set_state(st, i, body["state"])
    i.updated_at = now()
    return 200, st.pull_json(i), {}


@op("pulls/request-reviewers")
def request_reviewers(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    i = st.issue(int(p["pull_number"]), pull=True)
    users = body.get("reviewers", [])
    if i.user in users:
        raise HTTPError(422, "Review cannot be requested from pull request author.")
    if any(st.permissions.get(u, "none") == "none" for u in users):
        raise HTTPError(
            422,
            "Reviews may only be requested from collaborators. One or more of "
            "the users or teams you specified is not a collaborator of the "
            f"{st.full_name} repository.",
        )
    i.reviewers += [u for u in users if u not in i.reviewers]
    i.team_reviewers += [t for t in body.get("team_reviewers", []) if t not in i.team_reviewers]
    return 201, st.pull_json(i, simple=True), {}


@op("users/get-authenticated")
def get_user(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    if st.user_types.get(st.app_login) == "Bot":  # what an installation token (GITHUB_TOKEN) gets
        raise HTTPError(403, "Resource not accessible by integration")
    extra = {
        "bio": None,
        "blog": "",
        "company": None,
        "email": None,
        "followers": 0,
        "following": 0,
        "hireable": None,
        "location": None,
        "name": None,
        "public_gists": 0,
        "public_repos": 0,
        "created_at": st.created_at,
        "updated_at": st.created_at,
        "collaborators": 0,
        "disk_usage": 0,
        "owned_private_repos": 0,
        "private_gists": 0,
        "total_private_repos": 0,
        "two_factor_authentication": True,
        "user_view_type": "private",
    }
    return 200, st.user(st.app_login) | extra, {}


@op("rate-limit/get")
def rate_limit(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    core = {
        "limit": 5000,
        "remaining": 4999,
        "reset": int(datetime.now().timestamp()) + 3600,
        "used": 1,
    }
    resources = {k: dict(core) for k in ("core", "search", "graphql", "integration_manifest")}
    return 200, {"resources": resources, "rate": core}, {}
