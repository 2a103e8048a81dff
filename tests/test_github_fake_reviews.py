"""The GitHub fake's pull-request files, reviews and review comments, driven by real PyGithub
against a real git remote: files come from `git diff`, and a comment on a line the diff does
not show fails the whole review as on GitHub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from github import Auth, Github, GithubException
from github.GithubException import UnknownObjectException
from github.PullRequest import PullRequest

from tests.action_rig import TOKEN
from tests.rig.git_remote import GitRemote, git
from tests.rig.github_fake import GitHubFake
from tests.rig.github_review_handlers import DOCS

NUMBERS = "".join(f"line {n}\n" for n in range(1, 31))
# The feature branch changes src/numbers.txt in two places far apart: two hunks.
FEATURE_NUMBERS = NUMBERS.replace("line 3\n", "line three\n").replace(
    "line 25\n", "line 25\ninserted\n"
)
NUMBERS_PATCH = """@@ -1,6 +1,6 @@
 line 1
 line 2
-line 3
+line three
 line 4
 line 5
 line 6
@@ -23,6 +23,7 @@ line 22
 line 23
 line 24
 line 25
+inserted
 line 26
 line 27
 line 28"""
OUTSIDE = (
    "Pull request review thread line must be part of the diff and "
    "Pull request review thread diff hunk can't be blank"
)


def _authed(remote: GitRemote) -> str:
    """The remote's URL with the token in it, as actions/checkout's credentials would be."""
    url = urlsplit(remote.url)
    return urlunsplit(url._replace(netloc=f"x-access-token:{TOKEN}@{url.netloc}"))


def _commit(work: Path, files: dict[str, str | bytes | None], message: str) -> str:
    """Write (None: delete) `files` in the checkout `work`, commit them, return the sha."""
    for name, content in files.items():
        path = work / name
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    git("add", "-A", cwd=work)
    ident = ("-c", "user.name=Mona", "-c", "user.email=mona@example.com")
    git(*ident, "commit", "-qm", message, cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


def _push(remote: GitRemote, work: Path, refspec: str) -> None:
    git("push", "-q", _authed(remote), refspec, cwd=work)


@pytest.fixture
def work(remote: GitRemote, tmp_path: Path) -> Path:
    """A checkout where main has src/numbers.txt and the branch `feature` changes it in two
    hunks, renames, removes and adds files, one of them binary; both pushed over HTTP."""
    work = remote.clone(tmp_path / "work")
    _commit(work, {"src/numbers.txt": NUMBERS, "docs/old.md": "# Old\n", "gone.txt": "x\n"}, "b")
    _push(remote, work, "HEAD:refs/heads/main")
    git("checkout", "-qb", "feature", cwd=work)
    changes: dict[str, str | bytes | None] = {
        "src/numbers.txt": FEATURE_NUMBERS,
        "docs/old.md": None,
        "docs/new.md": "# Old\n",
        "gone.txt": None,
        "logo.bin": b"\x89PNG\x00\x01",
        "added.txt": "hello\n",
    }
    _commit(work, changes, "Feature")
    _push(remote, work, "HEAD:refs/heads/feature")
    return work


@pytest.fixture
def g(github: GitHubFake) -> Iterator[Github]:
    client = Github(
        auth=Auth.Token(github.token),
        base_url=github.api_url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=None,
    )
    yield client
    client.close()


def _pull(g: Github, number: int) -> PullRequest:
    return g.get_repo("octo-org/hello-world").get_pull(number)


def test_files_as_github_lists_them_and_the_pull_ref_follows_the_branch(
    github: GitHubFake, g: Github, remote: GitRemote, work: Path
) -> None:
    pr = g.get_repo("octo-org/hello-world").create_pull(base="main", head="feature", title="F")
    head = remote.branch_sha("feature")
    assert pr.head.sha == head
    assert remote.pull_head(pr.number) == head  # refs/pull/N/head, as GitHub keeps it

    files = {f.filename: f for f in pr.get_files()}
    assert sorted(files) == ["added.txt", "docs/new.md", "gone.txt", "logo.bin", "src/numbers.txt"]
    numbers = files["src/numbers.txt"]
    assert (numbers.status, numbers.additions, numbers.deletions, numbers.changes) == (
        "modified",
        2,
        1,
        3,
    )
    assert numbers.patch == NUMBERS_PATCH
    assert numbers.sha == git("rev-parse", f"{head}:src/numbers.txt", cwd=work).strip()
    base = f"{github.server_url}/octo-org/hello-world"
    assert numbers.blob_url == f"{base}/blob/{head}/src/numbers.txt"
    assert numbers.raw_url == f"{base}/raw/{head}/src/numbers.txt"
    assert numbers.contents_url == (
        f"{github.api_url}/repos/octo-org/hello-world/contents/src/numbers.txt?ref={head}"
    )
    renamed = files["docs/new.md"]
    assert (renamed.status, renamed.previous_filename) == ("renamed", "docs/old.md")
    assert renamed.patch is None  # the content did not change
    assert (files["gone.txt"].status, files["gone.txt"].patch) == ("removed", "@@ -1 +0,0 @@\n-x")
    assert (files["added.txt"].status, files["added.txt"].patch) == (
        "added",
        "@@ -0,0 +1 @@\n+hello",
    )
    assert files["logo.bin"].status == "added"
    assert files["logo.bin"].patch is None  # binary

    # A push to the branch moves the pull request's head and refs/pull/N/head with it.
    newer = _commit(work, {"added.txt": "hello\nworld\n"}, "More")
    _push(remote, work, "HEAD:refs/heads/feature")
    assert remote.pull_head(pr.number) == newer
    assert _pull(g, pr.number).head.sha == newer
    files = {f.filename: f for f in pr.get_files()}
    assert files["added.txt"].patch == "@@ -0,0 +1,2 @@\n+hello\n+world"


def test_review_with_a_single_and_a_multi_line_comment(
    github: GitHubFake, g: Github, remote: GitRemote, work: Path
) -> None:
    number = github.add_pull("feature", "main", "Feature", None, "alice")
    pr = _pull(g, number)
    review = pr.create_review(
        body="Two notes.",
        event="COMMENT",
        comments=[
            {"path": "src/numbers.txt", "line": 3, "side": "RIGHT", "body": "A digit?"},
            {"path": "src/numbers.txt", "start_line": 24, "line": 26, "body": "Why here?"},
            {"path": "src/numbers.txt", "line": 3, "side": "LEFT", "body": "Was fine."},
            {"path": "added.txt", "position": 1, "body": "Legacy position."},
        ],
    )
    head = remote.branch_sha("feature")
    assert (review.state, review.body, review.user.login, review.commit_id) == (
        "COMMENTED",
        "Two notes.",
        "github-actions[bot]",
        head,
    )
    assert review.html_url == (
        f"{github.server_url}/octo-org/hello-world/pull/{number}#pullrequestreview-{review.id}"
    )
    assert review.submitted_at is not None
    assert [r.id for r in pr.get_reviews()] == [review.id]

    single, multi, left, legacy = pr.get_review_comments()
    assert {c.pull_request_review_id for c in (single, multi, left, legacy)} == {review.id}
    assert (single.line, single.side, single.position) == (3, "RIGHT", 4)
    assert single.start_line is None
    assert single.diff_hunk == "@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+line three"
    assert (single.commit_id, single.subject_type) == (head, "line")
    assert single.in_reply_to_id is None
    assert single.html_url.endswith(f"/pull/{number}#discussion_r{single.id}")
    assert (multi.start_line, multi.start_side, multi.line, multi.side) == (
        24,
        "RIGHT",
        26,
        "RIGHT",
    )
    assert multi.diff_hunk == (
        "@@ -23,6 +23,7 @@ line 22\n line 23\n line 24\n line 25\n+inserted"
    )  # its hunk, down to its last line
    assert (left.line, left.side, left.diff_hunk.splitlines()[-1]) == (3, "LEFT", "-line 3")
    assert (legacy.path, legacy.line, legacy.side, legacy.position) == ("added.txt", 1, "RIGHT", 1)
    assert [(c.path, c.line, c.body) for c in github.review_comments(number)] == [
        ("src/numbers.txt", 3, "A digit?"),
        ("src/numbers.txt", 26, "Why here?"),
        ("src/numbers.txt", 3, "Was fine."),
        ("added.txt", 1, "Legacy position."),
    ]
    assert [(r.state, r.user) for r in github.reviews(number)] == [
        ("COMMENTED", "github-actions[bot]")
    ]
    assert _pull(g, number).review_comments == 4


@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ({"path": "src/numbers.txt", "line": 15}, OUTSIDE),  # between the hunks
        ({"path": "added.txt", "line": 1, "side": "LEFT"}, OUTSIDE),  # only added lines
        (
            {"path": "src/numbers.txt", "start_line": 3, "line": 26},
            "Pull request review thread start line must be part of the same hunk as the line.",
        ),
        (
            {"path": "src/numbers.txt", "start_line": 5, "line": 4},
            "Pull request review thread start line must precede the end line.",
        ),
        (
            {"path": "src/numbers.txt", "start_line": 15, "line": 16},
            "Pull request review thread line must be part of the diff, Pull request review "
            "thread start line must be part of the same hunk as the line., and Pull request "
            "review thread diff hunk can't be blank",
        ),
        (
            {"path": "README.md", "line": 1},
            "Pull request review thread path is invalid and "
            "Pull request review thread diff hunk can't be blank",
        ),
        ({"path": "logo.bin", "line": 1}, OUTSIDE),  # no patch
    ],
)
def test_a_comment_the_diff_does_not_show_fails_the_whole_review(
    github: GitHubFake, g: Github, work: Path, comment: dict[str, Any], reason: str
) -> None:
    number = github.add_pull("feature", "main", "Feature", None, "alice")
    fine: Any = {"path": "src/numbers.txt", "line": 3, "body": "Fine."}
    wrong: Any = {**comment, "body": "Here?"}
    with pytest.raises(GithubException) as refused:
        _pull(g, number).create_review(
            body="Notes",
            event="COMMENT",
            comments=[fine, wrong],
        )
    assert refused.value.status == 422
    assert refused.value.data == {
        "message": "Unprocessable Entity",
        "errors": [reason],
        "documentation_url": DOCS,
    }
    assert github.reviews(number) == []
    assert github.review_comments(number) == []


def test_events_states_and_what_github_refuses(
    github: GitHubFake, g: Github, remote: GitRemote, work: Path
) -> None:
    theirs = _pull(g, github.add_pull("feature", "main", "Theirs", None, "alice"))
    git("branch", "mine", "feature", cwd=remote.bare)
    ours = g.get_repo("octo-org/hello-world").create_pull(base="main", head="mine", title="O")

    def refused(pr: PullRequest, **kw: Any) -> list[str]:
        with pytest.raises(GithubException) as err:
            pr.create_review(**kw)
        assert err.value.status == 422
        return list(err.value.data["errors"])

    assert refused(theirs, event="COMMENT", body="") == ["Body can't be blank"]
    assert refused(theirs, event="REQUEST_CHANGES") == [
        "You need to leave a comment indicating the requested changes."
    ]
    assert refused(ours, event="APPROVE") == ["Can not approve your own pull request"]
    assert refused(ours, event="REQUEST_CHANGES", body="No") == [
        "Can not request changes on your own pull request"
    ]
    assert theirs.create_review(event="APPROVE").state == "APPROVED"
    assert theirs.create_review(event="REQUEST_CHANGES", body="Fix it").state == "CHANGES_REQUESTED"
    pending = theirs.create_review(body="Draft")
    assert pending.state == "PENDING"
    assert pending.submitted_at is None  # not submitted
    assert refused(theirs, body="Another draft") == [
        "User can only have one pending review per pull request"
    ]
    assert [r.state for r in theirs.get_reviews()] == ["APPROVED", "CHANGES_REQUESTED", "PENDING"]


def test_replies_join_the_thread_of_its_first_comment(
    github: GitHubFake, g: Github, work: Path
) -> None:
    number = github.add_pull("feature", "main", "Feature", None, "alice")
    other = github.add_pull("feature", "main", "Elsewhere", None, "alice")
    github.set_permission("alice", "write")
    first = github.add_review_comment(number, "src/numbers.txt", 26, "Why?", "bob", start_line=24)
    with pytest.raises(ValueError, match="must be part of the diff"):
        github.add_review_comment(number, "src/numbers.txt", 15, "Here?", "bob")
    pr = _pull(g, number)

    reply = pr.create_review_comment_reply(first, "Because.")
    again = pr.create_review_comment_reply(reply.id, "And more.")  # a reply to the reply
    assert (reply.in_reply_to_id, again.in_reply_to_id) == (first, first)
    assert (reply.path, reply.line, reply.start_line, reply.user.login) == (
        "src/numbers.txt",
        26,
        24,
        "github-actions[bot]",
    )
    assert [(c.user, c.in_reply_to_id) for c in github.review_comments(number)] == [
        ("bob", None),
        ("github-actions[bot]", first),
        ("github-actions[bot]", first),
    ]
    # bob's single comment and each reply are reviews of their own, as on GitHub.
    assert [(r.user.login, r.state, r.body) for r in pr.get_reviews()] == [
        ("bob", "COMMENTED", ""),
        ("github-actions[bot]", "COMMENTED", ""),
        ("github-actions[bot]", "COMMENTED", ""),
    ]
    with pytest.raises(UnknownObjectException):
        pr.create_review_comment_reply(999, "Lost")
    with pytest.raises(UnknownObjectException):
        _pull(g, other).create_review_comment_reply(first, "Wrong pull request")
    assert len(github.review_comments(number)) == 3
    assert github.review_comments(other) == []


def test_a_fork_pull_request_takes_its_head_from_refs_pull(
    github: GitHubFake, g: Github, remote: GitRemote, work: Path
) -> None:
    number = github.add_pull("patch-1", "main", "Fork", None, "eve", "eve/hello-world")
    assert list(_pull(g, number).get_files()) == []  # no commit of the fork here yet

    git("checkout", "-q", "main", cwd=work)
    fork_head = _commit(work, {"src/numbers.txt": NUMBERS.replace("line 9\n", "")}, "Fork")
    _push(remote, work, f"{fork_head}:refs/pull/{number}/head")  # what GitHub keeps for it

    pr = _pull(g, number)
    assert (pr.head.sha, pr.head.label) == (fork_head, "eve:patch-1")
    (changed,) = pr.get_files()
    assert (changed.filename, changed.additions, changed.deletions) == ("src/numbers.txt", 0, 1)
    assert changed.patch is not None
    assert changed.patch.startswith("@@ -6,7 +6,6 @@ line 5\n")
    review = pr.create_review(
        event="COMMENT",
        body="",
        comments=[{"path": "src/numbers.txt", "line": 9, "side": "LEFT", "body": "Keep"}],
    )
    assert review.commit_id == fork_head
