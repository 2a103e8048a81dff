"""Users, repositories, teams and labels in the JSON shapes the GitHub fake answers with."""

# Built from the required fields of GitHub's OpenAPI schemas, not copied from its examples;
# the server validates every one of them against the spec.

from __future__ import annotations

import zlib
from urllib.parse import quote, urlsplit

from .github_state import JSON, GitHubState

_REPO_URLS = {  # name -> suffix under /repos/{owner}/{repo}, as GitHub renders them
    "archive": "/{archive_format}{/ref}",
    "assignees": "/assignees{/user}",
    "blobs": "/git/blobs{/sha}",
    "branches": "/branches{/branch}",
    "collaborators": "/collaborators{/collaborator}",
    "comments": "/comments{/number}",
    "commits": "/commits{/sha}",
    "compare": "/compare/{base}...{head}",
    "contents": "/contents/{+path}",
    "contributors": "/contributors",
    "deployments": "/deployments",
    "downloads": "/downloads",
    "events": "/events",
    "forks": "/forks",
    "git_commits": "/git/commits{/sha}",
    "git_refs": "/git/refs{/sha}",
    "git_tags": "/git/tags{/sha}",
    "hooks": "/hooks",
    "issue_comment": "/issues/comments{/number}",
    "issue_events": "/issues/events{/number}",
    "issues": "/issues{/number}",
    "keys": "/keys{/key_id}",
    "labels": "/labels{/name}",
    "languages": "/languages",
    "merges": "/merges",
    "milestones": "/milestones{/number}",
    "notifications": "/notifications{?since,all,participating}",
    "pulls": "/pulls{/number}",
    "releases": "/releases{/id}",
    "stargazers": "/stargazers",
    "statuses": "/statuses/{sha}",
    "subscribers": "/subscribers",
    "subscription": "/subscription",
    "tags": "/tags",
    "teams": "/teams",
    "trees": "/git/trees{/sha}",
}


def _num(text: str) -> int:
    return zlib.crc32(text.encode()) % 90_000_000 + 10_000_000


def user_json(st: GitHubState, login: str) -> JSON:
    u, kind = f"{st.api}/users/{quote(login, safe='')}", st.user_types.get(login, "User")
    html = (
        f"{st.web}/apps/{login.removesuffix('[bot]')}" if kind == "Bot" else (f"{st.web}/{login}")
    )
    return {
        "login": login,
        "id": _num(login),
        "node_id": f"U_{_num(login)}",
        "avatar_url": f"{st.web}/avatars/u/{_num(login)}",
        "gravatar_id": "",
        "url": u,
        "html_url": html,
        "followers_url": f"{u}/followers",
        "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}",
        "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions",
        "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos",
        "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events",
        "type": kind,
        "site_admin": False,
        "user_view_type": "public",
    }


def repository_json(st: GitHubState, full_name: str | None = None) -> JSON:
    full_name = full_name or st.full_name
    owner, name = full_name.split("/")
    api, host, ts = f"{st.api}/repos/{full_name}", urlsplit(st.web).netloc, st.created_at
    fork = full_name != st.full_name
    d: JSON = {f"{k}_url": api + v for k, v in _REPO_URLS.items()}
    d.update(
        id=_num(full_name),
        node_id=f"R_{_num(full_name)}",
        name=name,
        full_name=full_name,
        owner=user_json(st, owner),
        private=st.private,
        html_url=f"{st.web}/{full_name}",
        description=None,
        fork=fork,
        url=api,
        clone_url=f"{st.web}/{full_name}.git",
        git_url=f"git://{host}/{full_name}.git",
        ssh_url=f"git@{host}:{full_name}.git",
        svn_url=f"{st.web}/{full_name}",
        mirror_url=None,
        homepage=None,
        language=None,
        forks=0,
        forks_count=0,
        stargazers_count=0,
        watchers=0,
        watchers_count=0,
        size=0,
        open_issues=st.open_count(),
        open_issues_count=st.open_count(),
        default_branch=st.default_branch,
        is_template=False,
        topics=[],
        has_issues=True,
        has_projects=True,
        has_wiki=True,
        has_pages=False,
        has_downloads=True,
        has_discussions=False,
        archived=False,
        disabled=False,
        license=None,
        visibility="private" if st.private else "public",
        pushed_at=ts,
        created_at=ts,
        updated_at=ts,
        allow_forking=True,
        web_commit_signoff_required=False,
    )
    return d


def full_repository_json(st: GitHubState) -> JSON:
    return repository_json(st) | {"network_count": 0, "subscribers_count": 0}


def team_json(st: GitHubState, slug: str) -> JSON:
    tid, api = _num(slug), f"{st.api}/orgs/{st.owner}/teams/{slug}"
    return {
        "id": tid,
        "node_id": f"T_{tid}",
        "url": api,
        "members_url": f"{api}/members{{/member}}",
        "name": slug,
        "slug": slug,
        "description": None,
        "permission": "pull",
        "privacy": "closed",
        "type": "organization",
        "html_url": f"{st.web}/orgs/{st.owner}/teams/{slug}",
        "repositories_url": f"{api}/repos",
    }


def label_json(st: GitHubState, name: str) -> JSON:
    lid = st.labels.setdefault(name, st.next_id())
    return {
        "id": lid,
        "node_id": f"LA_{lid}",
        "url": f"{st.repo_api}/labels/{quote(name)}",
        "name": name,
        "description": "",  # not null: pull-request-simple forbids it
        "color": "ededed",
        "default": False,
    }
