"""Small recording fakes of the use case's ports: the forge and the agent's phase.

They keep what a person would see (comments, reactions, pull requests) so a test can
assert it; the git side stays real (a real remote over HTTP with token auth).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.agent import AgentResult, AgentRun, ReviewFinding
from bot.errors import BotError, BranchMoved, GitHubError
from bot.forge import (
    Access,
    ChangedFile,
    CiJob,
    CiRun,
    DiffComment,
    HttpCredentials,
    LineComment,
    MadeCommit,
    Pull,
    Signature,
    SubmittedReview,
    Thread,
    ThreadComment,
    TreeChange,
)
from bot.github_api import git_credentials
from bot.gitrepo import Repository
from bot.instructions import Assignment
from bot.progress_events import Event, OnProgress
from bot.spend import Ledger
from bot.usage_meter import Usage
from tests.rig.git_objects import GitDataError, GitObjects, TreeEntry

BOT_LOGIN = "github-actions[bot]"
# A writer and a reader of the repository the use case is tested against.
WRITER, READER = "Codertocat", "mallory"


@dataclass
class Comment:
    thread: int
    body: str
    edits: int = 0
    author: str = BOT_LOGIN
    review_thread: int | None = None  # a reply in the review thread of that comment


@dataclass
class FakeGitData:
    """The forge's Git Data API on the real remote's objects; ``calls`` records each write."""

    objects: GitObjects | None
    calls: list[str] = field(default_factory=list)

    def _objects(self, call: str) -> GitObjects:
        self.calls.append(call)
        if self.objects is None:  # a forge without the API (an old server)
            raise GitHubError(f"GitHub refused to {call}: 404 Not Found")
        return self.objects

    def write_blob(self, content: bytes) -> str:
        return self._objects("blob").write_blob(content)

    def write_tree(self, base_tree: str, changes: Sequence[TreeChange]) -> str:
        objects = self._objects("tree")
        entries = [
            TreeEntry(
                c.path,
                c.mode,
                "commit" if c.mode == "160000" else "blob",
                objects.write_blob(c.text.encode()) if c.text is not None else c.sha,
            )
            for c in changes
        ]
        try:
            return objects.write_tree(base_tree, entries)
        except GitDataError as exc:
            refused = f"GitHub refused to build the tree: {exc.status} {exc.message}"
            raise GitHubError(refused) from None

    def author_of(self, sha: str) -> str:
        return str(self._objects("read").commit_info(sha)["author"]["email"])

    def write_commit(
        self, *, message: str, tree: str, parent: str, author: Signature
    ) -> MadeCommit:
        who = {"name": author.name, "email": author.email, "date": author.date}
        objects = self._objects("commit")
        sha = objects.write_commit(
            message=message, tree=tree, parents=[parent], author=who, committer=None
        )
        info = objects.commit_info(sha)
        return MadeCommit(sha, info["payload"], info["signature"])

    def move_branch(self, branch: str, sha: str, *, force: bool) -> None:
        objects = self._objects("ref")
        try:
            if not force:
                objects.update_ref(f"heads/{branch}", sha, force=False)
            elif objects.ref(f"heads/{branch}") is None:
                objects.create_ref(f"refs/heads/{branch}", sha)
            else:
                objects.update_ref(f"heads/{branch}", sha, force=True)
        except GitDataError as exc:
            if "fast forward" in exc.message:
                raise BranchMoved(f"'{branch}' moved on GitHub.") from None
            refused = f"GitHub refused to move {branch}: {exc.status} {exc.message}"
            raise GitHubError(refused) from None


@dataclass
class FakeForge:
    """The forge, in memory; ``branch_exists`` asks the real remote."""

    token: str
    branch_exists: Callable[[str], bool]
    repository: str = "octo-org/hello-world"
    default: str = "main"
    access_of: dict[str, Access] = field(default_factory=dict)
    pulls: dict[int, Pull] = field(default_factory=dict)
    written: dict[int, Comment] = field(default_factory=dict)
    reactions: list[tuple[int, int | None]] = field(default_factory=list)
    labels_removed: list[tuple[int, str]] = field(default_factory=list)
    access_asked: list[str] = field(default_factory=list)
    protected: set[str] = field(default_factory=set)
    drafts: set[int] = field(default_factory=set)
    # Pull requests' files, the comments on their diffs, and the reviews posted.
    files: dict[int, list[ChangedFile]] = field(default_factory=dict)
    notes: dict[int, list[ThreadComment]] = field(default_factory=dict)
    reviews: list[tuple[int, str, str, list[LineComment]]] = field(default_factory=list)
    # People's reviews, by (pull request, review id): what they said and their comments.
    submitted: dict[tuple[int, int], tuple[SubmittedReview, list[DiffComment]]] = field(
        default_factory=dict
    )
    # Every version each comment had, in order: what a watcher saw while it changed.
    versions: list[tuple[int, str]] = field(default_factory=list)
    # A method name → the error it raises, like a forge that refuses.
    refusals: dict[str, BotError] = field(default_factory=dict)
    # The Git Data API on the remote's objects (None: a forge without it), and the rules
    # of each branch.
    objects: GitObjects | None = None
    rules: dict[str, list[str]] = field(default_factory=dict)
    # CI: each commit's failed run, each run's failed jobs, each job's log.
    runs: dict[str, CiRun] = field(default_factory=dict)
    jobs: dict[int, list[CiJob]] = field(default_factory=dict)
    logs: dict[int, str] = field(default_factory=dict)
    git: FakeGitData = field(init=False)

    def __post_init__(self) -> None:
        self.git = FakeGitData(self.objects)

    def _refuse(self, name: str) -> None:
        if name in self.refusals:
            raise self.refusals[name]

    def git_credentials(self) -> HttpCredentials:
        return git_credentials(self.token)

    def access(self, login: str) -> Access:
        self._refuse("access")
        self.access_asked.append(login)
        return self.access_of.get(login, Access.NONE)

    def react(self, thread: Thread, comment_id: int | None = None) -> None:
        self._refuse("react")
        self.reactions.append((thread.number, comment_id))

    def remove_label(self, thread: Thread, name: str) -> None:
        self._refuse("remove_label")
        self.labels_removed.append((thread.number, name))

    def comment(self, thread: Thread, body: str) -> int:
        self._refuse("comment")
        comment_id = 1000 + len(self.written)
        self.written[comment_id] = Comment(thread.number, body, review_thread=thread.review_comment)
        return comment_id

    def edit_comment(self, thread: Thread, comment_id: int, body: str) -> None:
        self._refuse("edit_comment")
        old = self.written[comment_id]
        assert (old.thread, old.review_thread) == (thread.number, thread.review_comment), (
            "a comment is edited where it was written"
        )
        self.written[comment_id] = replace(old, body=body, edits=old.edits + 1)
        self.versions.append((comment_id, body))

    def find_comment(self, thread: Thread, marker: str) -> int | None:
        return next((c.id for c in self.comments(thread) if marker in c.body), None)

    def comments(self, thread: Thread) -> list[ThreadComment]:
        return [
            ThreadComment(i, c.author, c.body)
            for i, c in self.written.items()
            if (c.thread, c.review_thread) == (thread.number, thread.review_comment)
        ]

    def default_branch(self) -> str:
        return self.default

    # ---- a person's side ------------------------------------------------------------
    def add_comment(
        self, thread: int, body: str, author: str, review_thread: int | None = None
    ) -> int:
        comment_id = 1000 + len(self.written)
        root = comment_id if review_thread == 0 else review_thread  # 0: starts a thread
        self.written[comment_id] = Comment(thread, body, author=author, review_thread=root)
        return comment_id

    def pull(self, number: int) -> Pull:
        return self.pulls[number]

    def find_open_pull(self, head: str) -> Pull | None:
        return next((p for p in self.pulls.values() if p.open and p.head_branch == head), None)

    def open_pull(
        self, *, head: str, base: str, title: str, body: str, draft: bool = False
    ) -> tuple[Pull, bool]:
        self._refuse("open_pull")
        if not self.branch_exists(head):
            raise GitHubError(f"GitHub refused to open a pull request: no branch {head}")
        number = 100 + len(self.pulls)
        url = f"https://github.com/{self.repository}/pull/{number}"
        pull = Pull(number, url, head, self.repository, base, title, body)
        self.pulls[number] = pull
        if draft:
            self.drafts.add(number)
        return pull, True

    def update_pull(self, number: int, *, title: str, body: str) -> Pull:
        self.pulls[number] = replace(self.pulls[number], title=title, body=body)
        return self.pulls[number]

    def branch_protected(self, branch: str) -> bool:
        return branch in self.protected

    def review(self, number: int, review_id: int) -> SubmittedReview:
        return self.submitted[number, review_id][0]

    def review_comments(self, number: int, review_id: int) -> list[DiffComment]:
        return list(self.submitted[number, review_id][1])

    def pull_files(self, number: int) -> list[ChangedFile]:
        return list(self.files.get(number, []))

    def review_notes(self, number: int) -> list[ThreadComment]:
        return list(self.notes.get(number, []))

    def post_review(
        self, number: int, *, commit: str, body: str, comments: list[LineComment]
    ) -> str:
        self._refuse("post_review")
        self.reviews.append((number, commit, body, list(comments)))
        notes = self.notes.setdefault(number, [])
        notes += [
            ThreadComment(5000 + len(notes) + i, BOT_LOGIN, c.body) for i, c in enumerate(comments)
        ]
        return f"https://github.com/{self.repository}/pull/{number}#pullrequestreview-{len(self.reviews)}"

    def branch_rules(self, branch: str) -> list[str]:
        return self.rules.get(branch, [])

    def failed_run(self, head_sha: str) -> CiRun | None:
        return self.runs.get(head_sha)

    def failed_jobs(self, run: CiRun) -> list[CiJob]:
        return list(self.jobs.get(run.id, []))

    def job_log(self, job_id: int, limit: int) -> str:
        return self.logs[job_id][-limit:]

    # ---- what a person sees ---------------------------------------------------------
    def said(self, thread: int, review_thread: int | None = None) -> list[str]:
        """The bodies of the comments in a thread (a review thread, given its first
        comment), as they stand now."""
        return [
            c.body
            for c in self.written.values()
            if (c.thread, c.review_thread) == (thread, review_thread)
        ]


@dataclass
class FakeAgent:
    """The agent's phase: writes ``files`` into the workspace, then says it is done.

    ``fails`` is raised after writing; ``works_for`` seconds are spent first (so a
    deadline can pass), ``progress`` is told as it goes, one event per ``pace``
    seconds, as Codex's events arrive from the MCP server.
    """

    files: Mapping[str, str] = field(default_factory=dict)
    # Anything else it does to the working tree (binary files, deletions, modes, links).
    acts: Callable[[Path], object] | None = None
    summary: str = "Fixed the greeting."
    body: str = "The README greets the world properly."
    fails: Exception | None = None
    works_for: float = 0.0
    # (ledger, model, usage): an answer to count, as the model proxy would.
    spends: tuple[Ledger, str, Usage] | None = None
    progress: Sequence[Event] = ()
    pace: float = 0.0
    findings: Sequence[ReviewFinding] = ()
    prompts: list[str] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    worked_in: list[Path] = field(default_factory=list)

    async def __call__(
        self, repo: Repository, assignment: Assignment, heard: OnProgress = lambda event: None
    ) -> AgentRun:
        self.prompts.append(assignment.prompt)
        self.assignments.append(assignment)
        self.worked_in.append(repo.path)
        for name, text in self.files.items():
            path = Path(repo.path, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        if self.acts is not None:
            self.acts(repo.path)
        if self.spends is not None:
            ledger, model, usage = self.spends
            ledger.record("codex", model, usage)
        for event in self.progress:
            await asyncio.sleep(self.pace)
            heard(event)
        if self.works_for:
            await asyncio.sleep(self.works_for)
        if self.fails is not None:
            raise self.fails
        result = AgentResult(
            title="Fix the greeting",
            body=self.body,
            commit_message="Fix the greeting\n\nSay hello properly.",
            summary=self.summary,
            findings=list(self.findings),
        )
        return AgentRun(result, model_requests=2, input_tokens=120, output_tokens=30)
