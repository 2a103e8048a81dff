"""State, JSON shapes and handlers of the GitHub REST fake (the server is in github_fake.py).

Shapes are built from the required fields of GitHub's OpenAPI schemas, not copied from its
examples; the server validates every one of them against the spec.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

JSON = dict[str, Any]
Reply = tuple[int, Any, dict[str, str]]
DOCS = "https://docs.github.com/rest"
# fine-grained role -> legacy `permission` (see the spec text of get-collaborator-permission-level)
LEGACY = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
    "none": "none",
}
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


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fake_sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - an id, not security


def _num(text: str) -> int:
    return zlib.crc32(text.encode()) % 90_000_000 + 10_000_000


class HTTPError(Exception):
    """An error reply in GitHub's shape (`validation-error` when `errors` is given)."""

    def __init__(self, status: int, message: str, errors: list[JSON] | None = None) -> None:
        super().__init__(message)
        self.status, self.errors = status, errors
        self.body: JSON = {"message": message, "documentation_url": DOCS}
        if errors is not None:  # `validation-error` has no `status` field (basic-error has)
            self.body["errors"] = errors
        else:
            self.body["status"] = str(status)


def not_found() -> HTTPError:
    return HTTPError(404, "Not Found")


def invalid(*errors: JSON) -> HTTPError:
    return HTTPError(422, "Validation Failed", list(errors))


@dataclass
class Issue:
    """An issue; a pull request is an issue with `head` set (numbers are shared, as on GitHub)."""

    number: int
    id: int
    title: str
    body: str | None
    user: str
    created_at: str
    updated_at: str
    state: str = "open"
    state_reason: str | None = None
    closed_at: str | None = None
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    head: str | None = None  # pull requests only, from here on
    base: str | None = None
    head_repo: str | None = None  # full name; differs from the repository for forks
    head_sha: str | None = None
    pull_id: int = 0
    draft: bool = False
    maintainer_can_modify: bool = False
    reviewers: list[str] = field(default_factory=list)
    team_reviewers: list[str] = field(default_factory=list)

    @property
    def is_pull(self) -> bool:
        return self.head is not None


@dataclass
class Comment:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: str
    updated_at: str


@dataclass
class Reaction:
    id: int
    content: str
    user: str
    created_at: str


class GitHubState:
    """Everything the fake knows about one repository; callers hold `lock` around use."""

    def __init__(
        self,
        *,
        owner: str,
        repo: str,
        default_branch: str,
        app_login: str,
        private: bool,
        branch_sha: Callable[[str], str | None],
        commits_between: Callable[[str, str], int],
    ) -> None:
        self.owner, self.repo, self.default_branch = owner, repo, default_branch
        self.app_login, self.private = app_login, private
        self.branch_sha, self.commits_between = branch_sha, commits_between
        self.api = self.web = ""  # set by the server once it has a port
        self.lock = threading.RLock()
        self.permissions: dict[str, str] = {}
        self.user_types = {
            owner: "Organization",
            app_login: "Bot" if app_login.endswith("[bot]") else "User",
        }
        self.issues: dict[int, Issue] = {}
        self.comments: dict[int, Comment] = {}
        self.reactions: dict[tuple[str, int], list[Reaction]] = {}
        self.labels: dict[str, int] = {}
        self._ids = itertools.count(4_000_000_001)
        self.created_at = now()

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def repo_api(self) -> str:
        return f"{self.api}/repos/{self.full_name}"

    def next_id(self) -> int:
        return next(self._ids)

    def see(self, login: str, user_type: str = "User") -> None:
        self.user_types.setdefault(login, user_type)

    # ---- JSON shapes --------------------------------------------------------------------
    def user(self, login: str) -> JSON:
        u, kind = f"{self.api}/users/{quote(login, safe='')}", self.user_types.get(login, "User")
        html = (
            f"{self.web}/apps/{login.removesuffix('[bot]')}"
            if kind == "Bot"
            else (f"{self.web}/{login}")
        )
        return {
            "login": login,
            "id": _num(login),
            "node_id": f"U_{_num(login)}",
            "avatar_url": f"{self.web}/avatars/u/{_num(login)}",
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

    def repository(self, full_name: str | None = None) -> JSON:
        full_name = full_name or self.full_name
        owner, name = full_name.split("/")
        api, host, ts = f"{self.api}/repos/{full_name}", urlsplit(self.web).netloc, self.created_at
        fork = full_name != self.full_name
        d: JSON = {f"{k}_url": api + v for k, v in _REPO_URLS.items()}
        d.update(
            id=_num(full_name),
            node_id=f"R_{_num(full_name)}",
            name=name,
            full_name=full_name,
            owner=self.user(owner),
            private=self.private,
            html_url=f"{self.web}/{full_name}",
            description=None,
            fork=fork,
            url=api,
            clone_url=f"{self.web}/{full_name}.git",
            git_url=f"git://{host}/{full_name}.git",
            ssh_url=f"git@{host}:{full_name}.git",
            svn_url=f"{self.web}/{full_name}",
            mirror_url=None,
            homepage=None,
            language=None,
            forks=0,
            forks_count=0,
            stargazers_count=0,
            watchers=0,
            watchers_count=0,
            size=0,
            open_issues=self.open_count(),
            open_issues_count=self.open_count(),
            default_branch=self.default_branch,
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
            visibility="private" if self.private else "public",
            pushed_at=ts,
            created_at=ts,
            updated_at=ts,
            allow_forking=True,
            web_commit_signoff_required=False,
        )
        return d

    def full_repository(self) -> JSON:
        return self.repository() | {"network_count": 0, "subscribers_count": 0}

    def open_count(self) -> int:
        return sum(i.state == "open" for i in self.issues.values())

    def label(self, name: str) -> JSON:  # description "": pull-request-simple forbids null
        lid = self.labels.setdefault(name, self.next_id())
        return {
            "id": lid,
            "node_id": f"LA_{lid}",
            "url": f"{self.repo_api}/labels/{quote(name)}",
            "name": name,
            "description": "",
            "color": "ededed",
            "default": False,
        }

    def association(self, login: str) -> str:
        if login.lower() == self.owner.lower():
            return "OWNER"
        return "COLLABORATOR" if self.permissions.get(login, "none") != "none" else "NONE"

    def rollup(self, url: str, key: tuple[str, int]) -> JSON:
        contents = [r.content for r in self.reactions.get(key, [])]
        kinds = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")
        return {"url": url, "total_count": len(contents), **{k: contents.count(k) for k in kinds}}

    def issue_json(self, i: Issue) -> JSON:
        api = f"{self.repo_api}/issues/{i.number}"
        html = f"{self.web}/{self.full_name}/{'pull' if i.is_pull else 'issues'}/{i.number}"
        d: JSON = {
            "id": i.id,
            "node_id": f"I_{i.id}",
            "url": api,
            "repository_url": self.repo_api,
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": html,
            "number": i.number,
            "state": i.state,
            "title": i.title,
            "body": i.body,
            "user": self.user(i.user),
            "labels": [self.label(n) for n in i.labels],
            "assignee": self.user(i.assignees[0]) if i.assignees else None,
            "assignees": [self.user(a) for a in i.assignees],
            "milestone": None,
            "locked": False,
            "active_lock_reason": None,
            "comments": self.comment_count(i),
            "closed_at": i.closed_at,
            "created_at": i.created_at,
            "updated_at": i.updated_at,
            "author_association": self.association(i.user),
            "timeline_url": f"{api}/timeline",
            "reactions": self.rollup(f"{api}/reactions", ("issue", i.number)),
        }
        if i.state_reason is not None:  # the spec's enum has no null although nullable is true
            d["state_reason"] = i.state_reason
        if i.is_pull:
            d["draft"] = i.draft
            d["pull_request"] = {
                "url": f"{self.repo_api}/pulls/{i.number}",
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": None,
            }
        return d

    def comment_count(self, i: Issue) -> int:
        return sum(c.issue_number == i.number for c in self.comments.values())

    def comment_json(self, c: Comment) -> JSON:
        issue = self.issues[c.issue_number]
        kind = "pull" if issue.is_pull else "issues"
        api = f"{self.repo_api}/issues/comments/{c.id}"
        return {
            "id": c.id,
            "node_id": f"IC_{c.id}",
            "url": api,
            "body": c.body,
            "html_url": f"{self.web}/{self.full_name}/{kind}/{c.issue_number}#issuecomment-{c.id}",
            "issue_url": f"{self.repo_api}/issues/{c.issue_number}",
            "user": self.user(c.user),
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "author_association": self.association(c.user),
            "performed_via_github_app": None,
            "reactions": self.rollup(f"{api}/reactions", ("comment", c.id)),
        }

    def reaction_json(self, r: Reaction) -> JSON:
        return {
            "id": r.id,
            "node_id": f"REA_{r.id}",
            "user": self.user(r.user),
            "content": r.content,
            "created_at": r.created_at,
        }

    def sha(self, p: Issue, which: str) -> str:
        ref = (p.base if which == "base" else p.head) or ""
        fork = which == "head" and p.head_repo != self.full_name
        return (None if fork else self.branch_sha(ref)) or p.head_sha or fake_sha(ref)

    def pull_json(self, p: Issue, *, simple: bool = False) -> JSON:
        api, issue_api = f"{self.repo_api}/pulls/{p.number}", f"{self.repo_api}/issues/{p.number}"
        html, head_sha = f"{self.web}/{self.full_name}/pull/{p.number}", self.sha(p, "head")
        head_repo = p.head_repo or self.full_name
        refs = {
            "head": (head_repo, p.head, head_sha),
            "base": (self.full_name, p.base, self.sha(p, "base")),
        }
        links = {
            "self": api,
            "html": html,
            "issue": issue_api,
            "comments": f"{issue_api}/comments",
            "review_comments": f"{api}/comments",
            "review_comment": f"{self.repo_api}/pulls/comments{{/number}}",
            "commits": f"{api}/commits",
            "statuses": f"{self.repo_api}/statuses/{head_sha}",
        }
        issue = self.issue_json(p)
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
            merged_at=None,
            merge_commit_sha=None,
            requested_reviewers=[self.user(u) for u in p.reviewers],
            requested_teams=[self.team(t) for t in p.team_reviewers],
            auto_merge=None,
            _links={k: {"href": v} for k, v in links.items()},
            **{
                k: {
                    "label": f"{r.split('/')[0]}:{ref}",
                    "ref": ref,
                    "sha": sha,
                    "user": self.user(r.split("/")[0]),
                    "repo": self.repository(r),
                }
                for k, (r, ref, sha) in refs.items()
            },
        )
        if not simple:
            d.update(
                merged=False,
                mergeable=None,
                rebaseable=None,
                mergeable_state="unknown",
                merged_by=None,
                comments=issue["comments"],
                review_comments=0,
                maintainer_can_modify=p.maintainer_can_modify,
                additions=0,
                deletions=0,
                changed_files=0,
                commits=self.count_commits(p),
            )
        return d

    def count_commits(self, p: Issue) -> int:
        if p.head_repo != self.full_name or p.base is None or p.head is None:
            return 1
        return self.commits_between(p.base, p.head)

    def team(self, slug: str) -> JSON:
        tid, api = _num(slug), f"{self.api}/orgs/{self.owner}/teams/{slug}"
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
            "html_url": f"{self.web}/orgs/{self.owner}/teams/{slug}",
            "repositories_url": f"{api}/repos",
        }

    # ---- lookups used by the handlers ---------------------------------------------------
    def issue(self, number: int, *, pull: bool = False) -> Issue:
        i = self.issues.get(number)
        if i is None or (pull and not i.is_pull):
            raise not_found()
        return i

    def comment(self, comment_id: int) -> Comment:
        if comment_id not in self.comments:
            raise not_found()
        return self.comments[comment_id]

    def open_pull(self, head_label: str, base: str, *, other_than: int = 0) -> Issue | None:
        for p in self.issues.values():
            if (
                p.is_pull
                and p.state == "open"
                and p.base == base
                and p.number != other_than
                and self.head_label(p).lower() == head_label.lower()
            ):
                return p
        return None

    def head_label(self, p: Issue) -> str:
        return f"{(p.head_repo or self.full_name).split('/')[0]}:{p.head}"

    def paginate(self, items: list[Any], path: str, query: dict[str, str]) -> Reply:
        per_page = min(max(1, int(query.get("per_page", 30))), 100)
        page = max(1, int(query.get("page", 1)))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]

        def link(n: int) -> str:
            return f"<{self.api}{path}?{urlencode({**query, 'page': n})}>"

        rels = [(page + 1, "next"), (last, "last")] if page < last else []
        rels += [(page - 1, "prev"), (1, "first")] if page > 1 else []
        headers = {"Link": ", ".join(f'{link(n)}; rel="{r}"' for n, r in rels)} if rels else {}
        return 200, chunk, headers
