"""The GitHub fake's handlers for pull requests."""

from __future__ import annotations

from typing import Any

from .github_issue_handlers import add_issue, set_state
from .github_issue_shapes import pull_json
from .github_operations import op
from .github_state import (
    GitHubState,
    HTTPError,
    Issue,
    Reply,
    check_body,
    fake_sha,
    invalid,
    now,
)


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
    return status, [pull_json(st, i, simple=True) for i in items], headers


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
    check_body("PullRequest", body.get("body"))
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
    data = pull_json(st, i)
    return 201, data, {"Location": data["url"]}


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
    same_repo = head_repo == st.full_name
    sha = st.branch_sha(head) if same_repo else fake_sha(f"{head_repo}:{head}")
    pull = add_issue(
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
    if same_repo:  # GitHub keeps refs/pull/N/head at the branch; a fork's a test pushes
        st.track_pull(pull.number, head)
    return pull


@op("pulls/get")
def get_pull(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    data = pull_json(st, st.issue(int(p["pull_number"]), pull=True))
    data.update(mergeable=True, rebaseable=True, mergeable_state="clean")  # computed by now
    return 200, data, {}


@op("pulls/update")
def update_pull(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    i = st.issue(int(p["pull_number"]), pull=True)
    if "base" in body and st.branch_sha(body["base"]) is None:
        raise invalid({"resource": "PullRequest", "field": "base", "code": "invalid"})
    check_body("PullRequest", body.get("body"))
    for key in ("title", "body", "base", "maintainer_can_modify"):
        if key in body:
            setattr(i, key, body[key])
    if "state" in body:
        set_state(st, i, body["state"])
    i.updated_at = now()
    return 200, pull_json(st, i), {}


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
    return 201, pull_json(st, i, simple=True), {}
