"""The GitHub fake's records of one repository, and the errors it answers with.

The errors are in github_errors.py, the JSON shapes in github_shapes.py and
github_issue_shapes.py, the handlers in github_handlers.py, the server in github_fake.py.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from .git_diff import DiffFile
from .git_objects import GitObjects
from .github_actions import ActionsState

# The errors, re-exported: the handlers take them from here.
from .github_errors import DOCS as DOCS
from .github_errors import MAX_BODY as MAX_BODY
from .github_errors import HTTPError as HTTPError
from .github_errors import check_body as check_body
from .github_errors import invalid as invalid
from .github_errors import not_found as not_found
from .github_errors import unprocessable as unprocessable

JSON = dict[str, Any]
Reply = tuple[int, Any, dict[str, str]]
# fine-grained role -> legacy `permission` (see the spec text of get-collaborator-permission-level)
LEGACY = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
    "none": "none",
}


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fake_sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - an id, not security


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
    merged_at: str | None = None
    merged_by: str | None = None

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


@dataclass
class Review:
    id: int
    pull_number: int
    user: str
    body: str
    state: str  # PENDING, COMMENTED, CHANGES_REQUESTED or APPROVED
    commit_id: str
    submitted_at: str | None  # None while pending
    html_url: str


@dataclass
class ReviewComment:
    """A comment on lines of a pull request's diff (GitHub's `pull-request-review-comment`)."""

    id: int
    pull_number: int
    review_id: int
    path: str
    line: int  # the last line of a multi-line comment
    side: str  # LEFT (the base's numbers) or RIGHT (the head's)
    start_line: int | None
    start_side: str | None
    position: int  # lines below the first "@@" of the file's patch
    diff_hunk: str
    commit_id: str
    body: str
    user: str
    created_at: str
    updated_at: str
    in_reply_to_id: int | None = None  # the first comment of the thread, for a reply


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
        pull_head: Callable[[int], str | None] = lambda number: None,
        track_pull: Callable[[int, str], None] = lambda number, branch: None,
        diff_files: Callable[[str, str], list[DiffFile]] = lambda base, head: [],
        git_objects: GitObjects | None = None,
        sibling: GitHubState | None = None,
    ) -> None:
        self.owner, self.repo, self.default_branch = owner, repo, default_branch
        self.app_login, self.private = app_login, private
        self.branch_sha, self.commits_between = branch_sha, commits_between
        # The git side of pull requests: refs/pull/N/head and the files changed.
        self.pull_head, self.track_pull, self.diff_files = pull_head, track_pull, diff_files
        # The Git Data API's object store (the real bare repository); without it the git
        # operations answer 404, as for a repository the token cannot see.
        self.git_objects = git_objects
        self.actions = ActionsState()  # workflow runs, their jobs and their logs
        self.api = self.web = ""  # set by the server once it has a port
        # Another repository of the same server (`sibling`) shares its lock and, as users
        # and ids are GitHub's, not a repository's, the users it knows and its id counters.
        self.lock: threading.RLock = sibling.lock if sibling else threading.RLock()
        self.permissions: dict[str, str] = {}
        self.user_types: dict[str, str] = sibling.user_types if sibling else {}
        self.user_types.setdefault(owner, "Organization")
        self.user_types.setdefault(app_login, "Bot" if app_login.endswith("[bot]") else "User")
        self.issues: dict[int, Issue] = {}
        self.comments: dict[int, Comment] = {}
        self.reactions: dict[tuple[str, int], list[Reaction]] = {}
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.labels: dict[str, int] = {}
        self.protected: set[str] = set()  # branches under classic branch protection
        self.rules: dict[str, list[JSON]] = {}  # branch -> the rules of rulesets on it
        self._ids: itertools.count[int] = (
            sibling._ids if sibling else itertools.count(4_000_000_001)
        )
        if sibling:
            self.actions._ids = sibling.actions._ids
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

    # ---- queries the JSON shapes need ---------------------------------------------------
    def open_count(self) -> int:
        return sum(i.state == "open" for i in self.issues.values())

    def association(self, login: str) -> str:
        if login.lower() == self.owner.lower():
            return "OWNER"
        return "COLLABORATOR" if self.permissions.get(login, "none") != "none" else "NONE"

    def comment_count(self, i: Issue) -> int:
        return sum(c.issue_number == i.number for c in self.comments.values())

    def sha(self, p: Issue, which: str) -> str:
        """A pull request's base or head commit. The head: its branch's tip while the branch
        exists (same repository), else refs/pull/N/head (a fork's, or the last tip of a
        deleted branch), else what it was when the pull request was added."""
        ref = (p.base if which == "base" else p.head) or ""
        if which == "base":
            return self.branch_sha(ref) or p.head_sha or fake_sha(ref)
        fork = p.head_repo != self.full_name
        found = (None if fork else self.branch_sha(ref)) or self.pull_head(p.number)
        return found or p.head_sha or fake_sha(ref)

    def files(self, p: Issue, commit: str | None = None) -> list[DiffFile]:
        """The pull request's files at `commit` (its head by default), as GitHub lists them."""
        return self.diff_files(p.base or "", commit or self.sha(p, "head")) if p.base else []

    def count_commits(self, p: Issue) -> int:
        if p.head_repo != self.full_name or p.base is None or p.head is None:
            return 1
        if self.branch_sha(p.head) is None:  # deleted after the merge: GitHub keeps the count
            return 1
        return self.commits_between(p.base, p.head)

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
