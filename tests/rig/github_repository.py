"""The GitHub fake's helpers for tests on one repository's state: seed issues, comments, pull
requests, reviews, permissions and rules as people would leave them, and read back copies.
Mixed into GitHubFake (its first repository) and into GitHubRepository, the handle of each
repository it serves."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .github_actions import ActionsHelpers
from .github_handlers import add_comment, add_issue, add_pull
from .github_issue_handlers import set_state
from .github_review_handlers import seed_reply, seed_review, seed_review_comment
from .github_state import Comment, GitHubState, Issue, Reaction, Review, ReviewComment

if TYPE_CHECKING:
    from .github_fake import GitHubFake
    from .github_rest import Recorded


class RepositoryHelpers:
    """What a test does to and reads from `state` directly, without the API."""

    state: GitHubState

    def set_permission(self, login: str, perm: str) -> None:
        if perm not in ("admin", "maintain", "write", "triage", "read", "none"):
            raise ValueError(f"unknown permission {perm!r}")
        with self.state.lock:
            self.state.see(login)
            self.state.permissions[login] = perm

    def add_issue(self, title: str, body: str | None = None, user_login: str = "octocat") -> int:
        with self.state.lock:
            self.state.see(user_login)
            return add_issue(self.state, title, body, user_login).number

    def add_comment(
        self, issue_number: int, body: str, user_login: str, user_type: str = "User"
    ) -> int:
        with self.state.lock:
            self.state.see(user_login, user_type)
            return add_comment(
                self.state, self.state.issue(issue_number).number, body, user_login
            ).id

    def add_label(self, issue_number: int, name: str) -> None:
        """The label on the issue, as a person adding it in the web interface would leave it."""
        with self.state.lock:
            labels = self.state.issue(issue_number).labels
            if name not in labels:
                labels.append(name)

    def add_pull(
        self,
        head: str,
        base: str,
        title: str,
        body: str | None = None,
        user_login: str = "octocat",
        head_repo_full_name: str | None = None,
    ) -> int:
        with self.state.lock:
            self.state.see(user_login)
            if head_repo_full_name:
                self.state.see(head_repo_full_name.split("/")[0])
            return add_pull(
                self.state, head, base, title, body, user_login, head_repo_full_name
            ).number

    def protect_branch(self, branch: str, protected: bool = True) -> None:
        """Turn classic branch protection of `branch` on or off."""
        with self.state.lock:
            (self.state.protected.add if protected else self.state.protected.discard)(branch)

    def set_branch_rules(self, branch: str, *rules: dict[str, Any]) -> None:
        """The rules of rulesets that apply to `branch`, each `{"type": ..., "parameters": ...}`
        in the shape of GitHub's `repository-rule-*` schemas."""
        with self.state.lock:
            self.state.rules[branch] = [dict(rule) for rule in rules]

    def require_signatures(self, branch: str) -> None:
        """A ruleset's "Require signed commits" on `branch`: `GET /rules/branches/{branch}`
        reports the `required_signatures` rule, and the git objects (GitRemote.objects, with
        the `github` fixture) refuse commits GitHub did not sign, by the API and by push."""
        with self.state.lock:
            rules = self.state.rules.setdefault(branch, [])
            if {"type": "required_signatures"} not in rules:
                rules.append({"type": "required_signatures"})
            if self.state.git_objects is not None:
                self.state.git_objects.require_signatures(branch)

    def close_pull(self, number: int, *, merged: bool = False, by: str = "octocat") -> None:
        """Close a pull request, as merged by `by` when `merged`."""
        with self.state.lock:
            pull = self.state.issue(number, pull=True)
            set_state(self.state, pull, "closed")
            if merged:
                self.state.see(by)
                pull.merged_at, pull.merged_by = pull.closed_at, by

    @property
    def issues(self) -> list[Issue]:
        """All issues, pull requests included (`is_pull`), as copies."""
        with self.state.lock:
            return copy.deepcopy(list(self.state.issues.values()))

    @property
    def pulls(self) -> list[Issue]:
        return [i for i in self.issues if i.is_pull]

    def issues_with_label(self, name: str) -> list[Issue]:
        """The issues (not pull requests) labelled `name` (any case), as copies."""
        return [
            i
            for i in self.issues
            if not i.is_pull and name.lower() in (label.lower() for label in i.labels)
        ]

    def comments(self, issue_number: int) -> list[Comment]:
        with self.state.lock:
            return copy.deepcopy(
                [c for c in self.state.comments.values() if c.issue_number == issue_number]
            )

    def reactions(self, comment_id: int) -> list[Reaction]:
        with self.state.lock:
            return copy.deepcopy(self.state.reactions.get(("comment", comment_id), []))

    def issue_reactions(self, issue_number: int) -> list[Reaction]:
        with self.state.lock:
            return copy.deepcopy(self.state.reactions.get(("issue", issue_number), []))

    def review_comment_reactions(self, comment_id: int) -> list[Reaction]:
        with self.state.lock:
            return copy.deepcopy(self.state.reactions.get(("review_comment", comment_id), []))

    def reviews(self, pull_number: int) -> list[Review]:
        with self.state.lock:
            return copy.deepcopy(
                [r for r in self.state.reviews.values() if r.pull_number == pull_number]
            )

    def review_comments(self, pull_number: int) -> list[ReviewComment]:
        with self.state.lock:
            return copy.deepcopy(
                [c for c in self.state.review_comments.values() if c.pull_number == pull_number]
            )

    def add_review_comment(
        self,
        pull_number: int,
        path: str,
        line: int,
        body: str,
        login: str,
        *,
        start_line: int | None = None,
        side: str = "RIGHT",
        review_id: int | None = None,
    ) -> int:
        """A person's comment on `line` (through `line` from `start_line`) of `path` as the
        pull request's diff shows it, in review `review_id` or, like a single comment made in
        the web interface, in a review of its own. ValueError if the diff does not show the
        lines, with GitHub's reason."""
        wanted: dict[str, Any] = {"path": path, "line": line, "side": side}
        if start_line is not None:
            wanted |= {"start_line": start_line, "start_side": side}
        with self.state.lock:
            self.state.see(login)
            pull = self.state.issue(pull_number, pull=True)
            return seed_review_comment(self.state, pull, wanted, body, login, review_id).id

    def add_review(
        self,
        pull_number: int,
        login: str,
        *,
        state: str = "CHANGES_REQUESTED",
        body: str = "",
        comments: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """A person's review, submitted in `state` (COMMENTED, CHANGES_REQUESTED, APPROVED;
        PENDING leaves it unsubmitted, seen by no one else), with a thread for each of
        `comments`: `{"path", "line", "body"}` and optionally `"start_line"` and `"side"`
        (RIGHT unless told), on the pull request's diff. Returns the review's id. ValueError,
        and nothing added, if the diff does not show a comment's lines (with GitHub's reason)
        or GitHub would refuse the review."""
        wanted = []
        for c in comments:
            w: dict[str, Any] = {"side": "RIGHT", **c}
            if w.get("start_line") is not None:
                w.setdefault("start_side", w["side"])
            wanted.append(w)
        with self.state.lock:
            self.state.see(login)
            pull = self.state.issue(pull_number, pull=True)
            return seed_review(self.state, pull, login, body, state, wanted).id

    def add_review_reply(self, comment_id: int, body: str, login: str) -> int:
        """A person's reply in the review thread of `comment_id`, as the web interface posts
        it: in a review of its own, pointing at the thread's first comment."""
        with self.state.lock:
            self.state.see(login)
            replied = self.state.review_comments[comment_id]
            return seed_reply(self.state, replied, body, login).id


class GitHubRepository(RepositoryHelpers, ActionsHelpers):
    """One repository of a GitHubFake: the same helpers for tests, its own state, and the
    server's requests and faults narrowed to it."""

    def __init__(self, fake: GitHubFake, state: GitHubState) -> None:
        self.fake, self.state = fake, state

    @property
    def full_name(self) -> str:
        return self.state.full_name

    @property
    def token(self) -> str:
        return self.fake.token

    @property
    def api_url(self) -> str:
        return self.fake.api_url

    @property
    def server_url(self) -> str:
        return self.fake.server_url

    @property
    def requests(self) -> list[Recorded]:
        """The requests whose path named this repository, in order."""
        with self.state.lock:
            return [r for r in self.fake.requests if r.repository == self.state.full_name]

    @property
    def validation_errors(self) -> list[str]:
        """The server's, of every repository: a request that strays may name none."""
        return self.fake.validation_errors

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """GitHubFake.fail_next for requests to this repository only."""
        self.fake.fail_next(
            method, path_regex, status, headers, body, times, repository=self.state.full_name
        )
