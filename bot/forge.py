"""The forge port: what the use case needs of the host of the repository. Pure.

GitHub (``bot.github_api``) is one implementation; the unit tests pass a small fake.
The core speaks of the thread a request came from and of pull requests, never of
GitHub's permission names or its token conventions.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Access(enum.Enum):
    """What a person may do in the repository, from most to least."""

    ADMIN = "admin"
    WRITE = "write"
    READ = "read"
    NONE = "no"

    @property
    def can_push(self) -> bool:
        return self in (Access.ADMIN, Access.WRITE)


@dataclass(frozen=True)
class Thread:
    """Where a request was written — an issue or a pull request's conversation, or a review
    thread on a pull request's diff; replies go there."""

    number: int
    title: str = ""
    body: str = ""
    is_pull_request: bool = False
    # A review thread: the id of its first comment (GitHub replies to that one).
    review_comment: int | None = None


@dataclass(frozen=True)
class Pull:
    number: int
    url: str
    head_branch: str
    head_repo: str | None  # owner/name; None when the fork was deleted
    base_branch: str
    title: str = ""
    body: str = ""
    open: bool = True
    merged: bool = False
    head_sha: str = ""
    author: str = ""  # login of who opened it: the bot's own identity for its pull requests


@dataclass(frozen=True)
class ChangedFile:
    """A file a pull request changes, with its diff hunks as the forge shows them."""

    path: str
    status: str  # added, removed, modified, renamed, …
    patch: str | None  # None for a binary or too large a diff


@dataclass(frozen=True)
class DiffComment:
    """A person's comment on lines of a pull request's diff, in a review."""

    id: int
    author: str
    body: str
    path: str
    line: int | None
    start_line: int | None
    diff_hunk: str
    reply_to: int | None = None  # the first comment of its thread, for a reply

    @property
    def thread_root(self) -> int:
        return self.reply_to or self.id


@dataclass(frozen=True)
class SubmittedReview:
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
    body: str


@dataclass(frozen=True)
class LineComment:
    """A review comment to post on the new side of the diff: ``start_line`` to ``line``."""

    path: str
    line: int
    body: str
    start_line: int | None = None


@dataclass(frozen=True)
class ThreadComment:
    id: int
    author: str  # login; the bot's own comments are written as the token's identity
    body: str


@dataclass(frozen=True)
class TreeChange:
    """One path of a commit's tree, as the forge's Git Data API takes it."""

    path: str
    mode: str  # "100644", "100755", "120000" (a symlink), "160000" (a submodule's commit)
    sha: str | None = None  # the blob or commit it points at,
    text: str | None = None  # or a file's whole UTF-8 text, written in the same request;
    # neither: the path is deleted


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    date: str  # ISO 8601


@dataclass(frozen=True)
class MadeCommit:
    """A commit the forge made: its sha, and the object's text without its signature
    header and that signature, when the forge tells them."""

    sha: str
    payload: str | None = None
    signature: str | None = None


class GitData(Protocol):
    """The forge's own way to write commits: the forge signs what it makes (Verified)."""

    def write_blob(self, content: bytes) -> str: ...

    def write_tree(self, base_tree: str, changes: Sequence[TreeChange]) -> str:
        """``base_tree`` with ``changes`` applied; the new tree's sha."""

    def author_of(self, sha: str) -> str:
        """The email of the commit's author."""

    def write_commit(
        self, *, message: str, tree: str, parent: str, author: Signature
    ) -> MadeCommit:
        """A commit the forge signs as the token's identity (no committer is given)."""

    def move_branch(self, branch: str, sha: str, *, force: bool) -> None:
        """Point ``branch`` at ``sha``. ``force``: create or overwrite it; otherwise a
        fast-forward of the existing branch, or ``BranchMoved``."""


@dataclass(frozen=True)
class CiRun:
    """A finished workflow run of a commit."""

    id: int
    workflow: str
    head_sha: str
    conclusion: str
    url: str


@dataclass(frozen=True)
class CiJob:
    """A job of a run that did not succeed, and the first of its steps that failed."""

    workflow: str
    name: str
    id: int
    conclusion: str  # failure, cancelled, timed_out, startup_failure, …
    step: str | None
    url: str


@dataclass(frozen=True)
class HttpCredentials:
    """How git authenticates to the forge over HTTPS; the secret never shows in a repr."""

    user: str
    secret: str

    def __repr__(self) -> str:
        return f"HttpCredentials(user={self.user!r}, secret='***')"


class Forge(Protocol):
    """The repository's host, as the use case sees it. Failures raise ``GitHubError``-like
    ``BotError``s with a hint a maintainer can act on."""

    @property
    def repository(self) -> str: ...  # owner/name

    def access(self, login: str) -> Access: ...

    def react(self, thread: Thread, comment_id: int | None = None) -> None:
        """👀 on a comment of the thread, or on the thread itself."""

    def remove_label(self, thread: Thread, name: str) -> None: ...

    def comment(self, thread: Thread, body: str) -> int: ...

    def edit_comment(self, thread: Thread, comment_id: int, body: str) -> None: ...

    def find_comment(self, thread: Thread, marker: str) -> int | None: ...

    def comments(self, thread: Thread) -> list[ThreadComment]:
        """Every comment of the thread, oldest first."""

    def default_branch(self) -> str: ...

    def pull(self, number: int) -> Pull: ...

    def find_open_pull(self, head: str) -> Pull | None: ...

    def open_pull(
        self, *, head: str, base: str, title: str, body: str, draft: bool = False
    ) -> tuple[Pull, bool]: ...

    def update_pull(self, number: int, *, title: str, body: str) -> Pull: ...

    def branch_protected(self, branch: str) -> bool: ...

    def pull_files(self, number: int) -> list[ChangedFile]: ...

    def review_notes(self, number: int) -> list[ThreadComment]:
        """Every comment on the pull request's diff, oldest first."""

    def post_review(
        self, number: int, *, commit: str, body: str, comments: list[LineComment]
    ) -> str:
        """One review that only comments; returns its address."""

    def review(self, number: int, review_id: int) -> SubmittedReview: ...

    def review_comments(self, number: int, review_id: int) -> list[DiffComment]:
        """The comments a review put on the diff, oldest first."""

    def branch_rules(self, branch: str) -> list[str]: ...

    def git_credentials(self) -> HttpCredentials: ...

    @property
    def git(self) -> GitData: ...

    def failed_run(self, head_sha: str) -> CiRun | None:
        """The latest workflow run of ``head_sha`` that failed, if any."""

    def failed_jobs(self, run: CiRun) -> list[CiJob]:
        """The run's latest jobs that did not succeed (skipped ones succeed)."""

    def job_log(self, job_id: int, limit: int) -> str:
        """The end of a job's log, at most ``limit`` bytes of it."""
