"""GitHub's REST API through PyGithub; ``bot.github_errors`` and ``bot.github_git`` are the
only other modules that import ``github``.

Built from ``GITHUB_API_URL`` so GitHub Enterprise Server works; objects are lazy so
each method costs exactly the requests it names. PyGithub's errors become
``GitHubError`` with a hint a maintainer can act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from github import Auth, Github, GithubException
from github.GithubRetry import GithubRetry
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest
from github.PullRequestComment import PullRequestComment

from bot import limits
from bot.errors import GitHubError, PullRequestsNotAllowed
from bot.forge import (
    Access,
    ChangedFile,
    CiJob,
    CiRun,
    DiffComment,
    HttpCredentials,
    LineComment,
    Pull,
    SubmittedReview,
    Thread,
    ThreadComment,
)
from bot.github_actions import GitHubActions
from bot.github_errors import as_error, translated
from bot.github_git import GitHubGit

# The collaborator-permission API's legacy base roles: maintain is reported as write,
# triage as read.
# https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user
_ACCESS = {"admin": Access.ADMIN, "write": Access.WRITE, "read": Access.READ}


def git_credentials(token: str) -> HttpCredentials:
    """What GitHub's git server takes a token as, over HTTPS."""
    return HttpCredentials("x-access-token", token)


def _pull(pr: PullRequest) -> Pull:
    # Only fields of the short form GitHub lists pull requests in: reading any other one
    # of a lazy PyGithub object would cost a request.
    head_repo = pr.head.repo.full_name if pr.head.repo is not None else None
    return Pull(
        pr.number,
        pr.html_url,
        pr.head.ref,
        head_repo,
        pr.base.ref,
        pr.title,
        pr.body or "",
        open=pr.state == "open",
        merged=pr.merged_at is not None,
        head_sha=pr.head.sha,
        author=pr.user.login if pr.user else "",
    )


def _line_comment(comment: LineComment) -> dict[str, object]:
    line: dict[str, object] = {"path": comment.path, "body": comment.body}
    line |= {"line": comment.line, "side": "RIGHT"}
    if comment.start_line is not None:
        line |= {"start_line": comment.start_line, "start_side": "RIGHT"}
    return line


def _said(comments: Iterable[IssueComment | PullRequestComment]) -> list[ThreadComment]:
    # A deleted account's comments have no user.
    return [ThreadComment(c.id, c.user.login if c.user else "", c.body or "") for c in comments]


class GitHub:
    """The repository the workflow runs in, as the bot sees it: a ``Forge``."""

    def __init__(self, *, api_url: str, repository: str, token: str) -> None:
        # 5xx and secondary rate limits (with Retry-After) are retried with backoff,
        # never longer than a run can afford to wait.
        retry = GithubRetry(total=4, backoff_factor=1.0, max_rate_limit_wait=120)
        # PyGithub spaces requests by default (0.25 s, writes 1 s); a run makes a handful,
        # so the wait would only delay the feedback.
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=api_url,
            lazy=True,
            retry=retry,
            timeout=30,
            seconds_between_requests=0,
            seconds_between_writes=0,
        )
        self.repository = repository
        self._token = token
        self._repo = self._gh.get_repo(repository)

    def close(self) -> None:
        self._gh.close()

    def git_credentials(self) -> HttpCredentials:
        return git_credentials(self._token)

    @property
    def git(self) -> GitHubGit:
        return GitHubGit(self._repo.requester, self._repo.url)

    @property
    def _actions(self) -> GitHubActions:
        return GitHubActions(self._repo.requester, self._repo.url)

    def failed_run(self, head_sha: str) -> CiRun | None:
        return self._actions.failed_run(head_sha)

    def failed_jobs(self, run: CiRun) -> list[CiJob]:
        return self._actions.failed_jobs(run)

    def job_log(self, job_id: int, limit: int) -> str:
        return self._actions.job_log(job_id, limit)

    def access(self, login: str) -> Access:
        with translated(f"tell the permission of @{login}"):
            return _ACCESS.get(self._repo.get_collaborator_permission(login), Access.NONE)

    # A review thread (``thread.review_comment``) is answered with GitHub's review-comment
    # API; everything else lives in the issue's (or pull request's) conversation.
    def react(self, thread: Thread, comment_id: int | None = None, content: str = "eyes") -> None:
        with translated(f"add a reaction on #{thread.number}"):
            issue = self._repo.get_issue(thread.number)
            if thread.review_comment is not None and comment_id is not None:
                pull = self._repo.get_pull(thread.number)
                pull.get_review_comment(comment_id).create_reaction(content)
            elif comment_id is None:
                issue.create_reaction(content)
            else:
                issue.get_comment(comment_id).create_reaction(content)

    def remove_label(self, thread: Thread, name: str) -> None:
        with translated(f"remove the label '{name}' from #{thread.number}"):
            self._repo.get_issue(thread.number).remove_from_labels(name)

    def comment(self, thread: Thread, body: str) -> int:
        """Post a comment; returns its id."""
        with translated(f"comment on #{thread.number}"):
            if thread.review_comment is not None:
                pull = self._repo.get_pull(thread.number)
                return pull.create_review_comment_reply(thread.review_comment, body).id
            return self._repo.get_issue(thread.number).create_comment(body).id

    def edit_comment(self, thread: Thread, comment_id: int, body: str) -> None:
        with translated(f"edit a comment on #{thread.number}"):
            if thread.review_comment is not None:
                self._repo.get_pull(thread.number).get_review_comment(comment_id).edit(body)
            else:
                self._repo.get_issue(thread.number).get_comment(comment_id).edit(body)

    def find_comment(self, thread: Thread, marker: str) -> int | None:
        """The id of the bot's comment in the thread that carries ``marker``."""
        return next((c.id for c in self.comments(thread) if marker in c.body), None)

    def comments(self, thread: Thread) -> list[ThreadComment]:
        with translated(f"read the comments of #{thread.number}"):
            if thread.review_comment is None:
                return _said(self._repo.get_issue(thread.number).get_comments())
            root = thread.review_comment
            everything = self._repo.get_pull(thread.number).get_review_comments()
            return _said(c for c in everything if root in (c.id, c.in_reply_to_id))

    def default_branch(self) -> str:
        with translated("read the repository"):
            return self._gh.withLazy(False).get_repo(self.repository).default_branch

    def pull(self, number: int) -> Pull:
        # One request: the lazy repository costs none, reading the pull request's fields
        # loads it once.
        with translated(f"read pull request #{number}"):
            return _pull(self._repo.get_pull(number))

    def pull_files(self, number: int) -> list[ChangedFile]:
        with translated(f"list the files of pull request #{number}"):
            files = self._repo.get_pull(number).get_files()
            return [ChangedFile(f.filename, f.status, f.patch) for f in files]

    def review_notes(self, number: int) -> list[ThreadComment]:
        with translated(f"list the review comments of pull request #{number}"):
            notes = self._repo.get_pull(number).get_review_comments()
            return [
                ThreadComment(c.id, c.user.login if c.user else "", c.body or "") for c in notes
            ]

    def post_review(
        self, number: int, *, commit: str, body: str, comments: list[LineComment]
    ) -> str:
        lines = [_line_comment(c) for c in comments]
        review = {"commit_id": commit, "body": body, "event": "COMMENT", "comments": lines}
        with translated(f"review pull request #{number}"):
            url = f"{self._repo.url}/pulls/{number}/reviews"
            _, data = self._repo.requester.requestJsonAndCheck("POST", url, input=review)
        return str(data.get("html_url") or "")

    def review(self, number: int, review_id: int) -> SubmittedReview:
        with translated(f"read review {review_id} of pull request #{number}"):
            review = self._repo.get_pull(number).get_review(review_id)
            return SubmittedReview(review.state, review.body or "")

    def review_comments(self, number: int, review_id: int) -> list[DiffComment]:
        with translated(f"read the comments of review {review_id} on #{number}"):
            found = self._repo.get_pull(number).get_single_review_comments(review_id)
            return [
                DiffComment(c.id, c.user.login if c.user else "", c.body or "", c.path,
                            c.line, c.start_line, c.diff_hunk or "", c.in_reply_to_id)
                for c in found
            ]  # fmt: skip

    def branch_protected(self, branch: str) -> bool:
        """Whether classic branch protection guards ``branch``.

        ``GET /branches/{branch}`` tells it with contents: read; the protection's details
        need administration rights a workflow token does not have.
        """
        with translated(f"read the branch {branch}"):
            return self._repo.get_branch(branch).protected

    def branch_rules(self, branch: str) -> list[str]:
        """The types of the repository rules that apply to ``branch`` (``update``, ...).

        None when GitHub hides them from this token (403, 404: rules need a plan and a
        permission that not every repository or token has).
        """
        url = f"{self._repo.url}/rules/branches/{quote(branch, safe='')}"
        try:
            # One page of 100: one rule that guards the branch is all the bot looks for.
            _, data = self._repo.requester.requestJsonAndCheck(
                "GET", url, parameters={"per_page": 100}
            )
        except GithubException as exc:
            if exc.status in (403, 404):
                return []
            raise as_error(exc, f"read the rules of the branch {branch}") from None
        items = data if isinstance(data, list) else []
        return [str(rule.get("type")) for rule in items if isinstance(rule, dict)]

    def find_open_pull(self, head: str) -> Pull | None:
        """The open pull request from this repository's branch ``head``, if any."""
        owner = self.repository.split("/")[0]
        with translated(f"find the pull request from {head}"):
            for pr in self._repo.get_pulls(state="open", head=f"{owner}:{head}"):
                return _pull(pr)
        return None

    def update_pull(self, number: int, *, title: str, body: str) -> Pull:
        with translated(f"update pull request #{number}"):
            pr = self._repo.get_pull(number)
            pr.edit(title=limits.title(title), body=body)
            return _pull(pr)

    def open_pull(
        self, *, head: str, base: str, title: str, body: str, draft: bool = False
    ) -> tuple[Pull, bool]:
        """Open a pull request from ``head``, or update the open one; True when new."""
        # Creating first costs one request when the pull request is new (the common
        # case); GitHub answers 422 "A pull request already exists" otherwise.
        try:
            pr = self._repo.create_pull(
                base=base, head=head, title=limits.title(title), body=body, draft=draft
            )
            return _pull(pr), True
        except GithubException as exc:
            if exc.status == 403 and "not permitted to create" in str(exc.data):
                refused = as_error(exc, f"open a pull request from {head}").message
                raise PullRequestsNotAllowed(refused) from None
            if exc.status != 422 or "already exists" not in str(exc.data):
                raise as_error(exc, f"open a pull request from {head} into {base}") from None
        existing = self.find_open_pull(head)
        if existing is None:
            raise GitHubError(f"GitHub says a pull request from {head} exists but lists none.")
        return self.update_pull(existing.number, title=title, body=body), False
