"""Issues, pull requests, comments and reactions in the JSON shapes the GitHub fake answers with."""

# Built from the required fields of GitHub's OpenAPI schemas, not copied from its examples;
# the server validates every one of them against the spec.

from __future__ import annotations

from .github_shapes import label_json, repository_json, team_json, user_json
from .github_state import JSON, Comment, GitHubState, Issue, Reaction, fake_sha


def rollup_json(st: GitHubState, url: str, key: tuple[str, int]) -> JSON:
    contents = [r.content for r in st.reactions.get(key, [])]
    kinds = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")
    return {"url": url, "total_count": len(contents), **{k: contents.count(k) for k in kinds}}


def issue_json(st: GitHubState, i: Issue) -> JSON:
    api = f"{st.repo_api}/issues/{i.number}"
    html = f"{st.web}/{st.full_name}/{'pull' if i.is_pull else 'issues'}/{i.number}"
    d: JSON = {
        "id": i.id,
        "node_id": f"I_{i.id}",
        "url": api,
        "repository_url": st.repo_api,
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": html,
        "number": i.number,
        "state": i.state,
        "title": i.title,
        "body": i.body,
        "user": user_json(st, i.user),
        "labels": [label_json(st, n) for n in i.labels],
        "assignee": user_json(st, i.assignees[0]) if i.assignees else None,
        "assignees": [user_json(st, a) for a in i.assignees],
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": st.comment_count(i),
        "closed_at": i.closed_at,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
        "author_association": st.association(i.user),
        "timeline_url": f"{api}/timeline",
        "reactions": rollup_json(st, f"{api}/reactions", ("issue", i.number)),
    }
    if i.state_reason is not None:  # the spec's enum has no null although nullable is true
        d["state_reason"] = i.state_reason
    if i.is_pull:
        d["draft"] = i.draft
        d["pull_request"] = {
            "url": f"{st.repo_api}/pulls/{i.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": i.merged_at,
        }
    return d


def comment_json(st: GitHubState, c: Comment) -> JSON:
    issue = st.issues[c.issue_number]
    kind = "pull" if issue.is_pull else "issues"
    api = f"{st.repo_api}/issues/comments/{c.id}"
    return {
        "id": c.id,
        "node_id": f"IC_{c.id}",
        "url": api,
        "body": c.body,
        "html_url": f"{st.web}/{st.full_name}/{kind}/{c.issue_number}#issuecomment-{c.id}",
        "issue_url": f"{st.repo_api}/issues/{c.issue_number}",
        "user": user_json(st, c.user),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "author_association": st.association(c.user),
        "performed_via_github_app": None,
        "reactions": rollup_json(st, f"{api}/reactions", ("comment", c.id)),
    }


def reaction_json(st: GitHubState, r: Reaction) -> JSON:
    return {
        "id": r.id,
        "node_id": f"REA_{r.id}",
        "user": user_json(st, r.user),
        "content": r.content,
        "created_at": r.created_at,
    }


def pull_json(st: GitHubState, p: Issue, *, simple: bool = False) -> JSON:
    api, issue_api = f"{st.repo_api}/pulls/{p.number}", f"{st.repo_api}/issues/{p.number}"
    html, head_sha = f"{st.web}/{st.full_name}/pull/{p.number}", st.sha(p, "head")
    head_repo = p.head_repo or st.full_name
    refs = {
        "head": (head_repo, p.head, head_sha),
        "base": (st.full_name, p.base, st.sha(p, "base")),
    }
    links = {
        "self": api,
        "html": html,
        "issue": issue_api,
        "comments": f"{issue_api}/comments",
        "review_comments": f"{api}/comments",
        "review_comment": f"{st.repo_api}/pulls/comments{{/number}}",
        "commits": f"{api}/commits",
        "statuses": f"{st.repo_api}/statuses/{head_sha}",
    }
    issue = issue_json(st, p)
    d: JSON = {
        k: issue[k]
        for k in (
            "title",
            "body",
            "labels",
            "milestone",
            "locked",
            "user",
            "active_lock_reason",
            "assignee",
            "assignees",
            "state",
            "created_at",
            "updated_at",
            "closed_at",
            "number",
            "author_association",
            "draft",
        )
    }
    d.update(
        url=api,
        id=p.pull_id,
        node_id=f"PR_{p.pull_id}",
        html_url=html,
        diff_url=f"{html}.diff",
        patch_url=f"{html}.patch",
        issue_url=issue_api,
        commits_url=links["commits"],
        review_comments_url=links["review_comments"],
        review_comment_url=links["review_comment"],
        comments_url=links["comments"],
        statuses_url=links["statuses"],
        merged_at=p.merged_at,
        merge_commit_sha=fake_sha(f"merge {p.number}") if p.merged_at else None,
        requested_reviewers=[user_json(st, u) for u in p.reviewers],
        requested_teams=[team_json(st, t) for t in p.team_reviewers],
        auto_merge=None,
        _links={k: {"href": v} for k, v in links.items()},
        **{
            k: {
                "label": f"{r.split('/')[0]}:{ref}",
                "ref": ref,
                "sha": sha,
                "user": user_json(st, r.split("/")[0]),
                "repo": repository_json(st, r),
            }
            for k, (r, ref, sha) in refs.items()
        },
    )
    if not simple:
        d.update(
            merged=p.merged_at is not None,
            mergeable=None,
            rebaseable=None,
            mergeable_state="unknown",
            merged_by=user_json(st, p.merged_by) if p.merged_by else None,
            comments=issue["comments"],
            review_comments=sum(c.pull_number == p.number for c in st.review_comments.values()),
            maintainer_can_modify=p.maintainer_can_modify,
            additions=0,
            deletions=0,
            changed_files=0,
            commits=st.count_commits(p),
        )
    return d
