"""Review threads on the GitHub fake, driven by PyGithub configured as the bot configures it
(lazy objects): reply, list a thread, edit a reply, react on a review comment. And the
webhook payloads of review threads the tests build from GitHub's own examples."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from github import Auth, Github
from github.GithubException import GithubException, UnknownObjectException
from github.PullRequest import PullRequest

from tests.action_rig import TOKEN
from tests.payloads import (
    EXAMPLE_COMMENT_ID,
    EXAMPLE_REVIEW_ID,
    FIXTURES,
    payload,
    review_comment_event,
    review_event,
)
from tests.rig.git_remote import GitRemote, git
from tests.rig.github_fake import GitHubFake

REPO = "octo-org/hello-world"
# What the branch `feature` does to the remote's seeded src/app.py ("print('hi')\n"), as the
# pull request's diff shows it; review_comment_event's default hunk is this one.
HUNK = "@@ -1 +1,2 @@\n print('hi')\n+print('x')"


@pytest.fixture
def feature(remote: GitRemote, tmp_path: Path) -> str:
    """The branch `feature`, one commit on main adding a line to src/app.py, pushed over HTTP."""
    work = remote.clone(tmp_path / "work")
    (work / "src/app.py").write_text("print('hi')\nprint('x')\n")
    ident = ("-c", "user.name=Mona", "-c", "user.email=mona@example.com")
    git(*ident, "commit", "-qam", "Say x", cwd=work)
    url = urlsplit(remote.url)
    authed = urlunsplit(url._replace(netloc=f"x-access-token:{TOKEN}@{url.netloc}"))
    git("push", "-q", authed, "HEAD:refs/heads/feature", cwd=work)
    return "feature"


def _pull(g: Github, number: int) -> PullRequest:
    return g.get_repo(REPO).get_pull(number)


def _sent(github: GitHubFake, since: int) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in github.requests[since:]]


def test_reply_list_and_edit_a_thread(github: GitHubFake, g: Github, feature: str) -> None:
    number = github.add_pull(feature, "main", "Say x", None, "alice")
    root = github.add_review_comment(number, "src/app.py", 2, "/codex why x?", "bob")
    elsewhere = github.add_review_comment(number, "src/app.py", 1, "Another thread.", "bob")
    pr = _pull(g, number)

    first = pr.create_review_comment_reply(root, "Looking.")
    second = pr.create_review_comment_reply(first.id, "Still looking.")  # joins the root's thread
    thread = [c for c in pr.get_review_comments() if root in (c.id, c.in_reply_to_id)]
    assert [(c.id, c.user.login, c.body, c.in_reply_to_id) for c in thread] == [
        (root, "bob", "/codex why x?", None),
        (first.id, "github-actions[bot]", "Looking.", root),
        (second.id, "github-actions[bot]", "Still looking.", root),
    ]
    assert {(c.path, c.line, c.diff_hunk) for c in thread} == {("src/app.py", 2, HUNK)}
    assert elsewhere not in {c.id for c in thread}

    before = len(github.requests)
    edited = pr.get_review_comment(first.id)  # lazy: no request until edit
    edited.edit("Done: x says hello.")
    api = f"/repos/{REPO}/pulls/comments"
    assert _sent(github, before) == [("PATCH", f"{api}/{first.id}", 200)]
    assert (edited.id, edited.body, edited.in_reply_to_id) == (
        first.id,
        "Done: x says hello.",
        root,
    )
    assert edited.updated_at >= first.updated_at
    stored = {c.id: c for c in github.review_comments(number)}
    assert stored[first.id].body == "Done: x says hello."
    assert stored[second.id].body == "Still looking."  # only the one edited
    assert pr.get_review_comment(first.id).body == "Done: x says hello."  # GET sees it too

    with pytest.raises(UnknownObjectException):
        pr.get_review_comment(999).edit("Lost")


def test_react_on_a_review_comment(github: GitHubFake, g: Github, feature: str) -> None:
    number = github.add_pull(feature, "main", "Say x", None, "alice")
    root = github.add_review_comment(number, "src/app.py", 2, "/codex why x?", "bob")
    comment = _pull(g, number).get_review_comment(root)

    before = len(github.requests)
    eyes = comment.create_reaction("eyes")
    again = comment.create_reaction("eyes")  # GitHub answers 200 with the reaction it has
    comment.create_reaction("rocket")
    api = f"/repos/{REPO}/pulls/comments/{root}/reactions"
    assert _sent(github, before) == [("POST", api, 201), ("POST", api, 200), ("POST", api, 201)]
    assert (eyes.content, eyes.user.login, again.id) == ("eyes", "github-actions[bot]", eyes.id)
    assert [(r.content, r.user) for r in github.review_comment_reactions(root)] == [
        ("eyes", "github-actions[bot]"),
        ("rocket", "github-actions[bot]"),
    ]
    assert github.reactions(root) == []  # not an issue comment's
    (listed,) = _pull(g, number).get_review_comments()
    assert (listed.reactions["total_count"], listed.reactions["eyes"]) == (2, 1)

    with pytest.raises(UnknownObjectException):
        _pull(g, number).get_review_comment(999).create_reaction("eyes")


def test_the_fixtures_are_githubs_examples_unchanged() -> None:
    comment = json.loads((FIXTURES / "pull_request_review_comment.created.1.json").read_text())
    review = json.loads((FIXTURES / "pull_request_review.submitted.0.json").read_text())
    assert (comment["action"], comment["repository"]["full_name"]) == (
        "created",
        "Codertocat/Hello-World",
    )
    assert (comment["comment"]["id"], comment["comment"]["pull_request_review_id"]) == (
        EXAMPLE_COMMENT_ID,
        EXAMPLE_REVIEW_ID,
    )
    assert comment["comment"]["body"] == "Maybe you should use more emoji on this line."
    assert comment["comment"]["diff_hunk"] == "@@ -1 +1 @@\n-# Hello-World"
    assert "in_reply_to_id" not in comment["comment"]  # a thread's first comment
    assert (review["action"], review["review"]["id"], review["review"]["state"]) == (
        "submitted",
        EXAMPLE_REVIEW_ID,
        "commented",
    )
    assert review["review"]["body"] is None
    assert review["pull_request"]["head"]["ref"] == "changes"


def test_review_comment_event_is_what_it_was_asked_for() -> None:
    event = review_comment_event(
        "/codex use a constant",
        pull_number=7,
        comment_id=4_000_000_042,
        path="src/lib.py",
        line=12,
        start_line=10,
        diff_hunk="@@ -9,3 +9,4 @@\n a\n b\n+c",
        in_reply_to=4_000_000_041,
        review_id=4_000_000_040,
        login="alice",
        user_type="Bot",
        head_ref="topic",
        base_ref="develop",
    )
    assert event["action"] == "created"
    c, pull, repository = event["comment"], event["pull_request"], event["repository"]
    assert (repository["full_name"], repository["name"], repository["default_branch"]) == (
        REPO,
        "hello-world",
        "main",
    )
    assert (repository["owner"]["login"], repository["owner"]["type"]) == (
        "octo-org",
        "Organization",
    )
    assert (c["id"], c["body"], c["path"], c["line"], c["start_line"], c["side"]) == (
        4_000_000_042,
        "/codex use a constant",
        "src/lib.py",
        12,
        10,
        "RIGHT",
    )
    assert (c["diff_hunk"], c["in_reply_to_id"], c["pull_request_review_id"]) == (
        "@@ -9,3 +9,4 @@\n a\n b\n+c",
        4_000_000_041,
        4_000_000_040,
    )
    assert c["html_url"].endswith(f"/{REPO}/pull/7#discussion_r4000000042")
    assert c["url"].endswith(f"/repos/{REPO}/pulls/comments/4000000042")
    assert c["pull_request_url"].endswith(f"/repos/{REPO}/pulls/7")
    assert (c["user"]["login"], c["user"]["type"]) == ("alice", "Bot")
    assert (event["sender"]["login"], event["sender"]["type"]) == ("alice", "Bot")
    assert pull["number"] == 7
    assert pull["url"].endswith(f"/repos/{REPO}/pulls/7")
    assert (pull["head"]["ref"], pull["head"]["label"], pull["head"]["repo"]["full_name"]) == (
        "topic",
        "octo-org:topic",
        REPO,
    )
    assert pull["head"]["repo"]["fork"] is False
    assert (pull["base"]["ref"], pull["base"]["repo"]["full_name"]) == ("develop", REPO)
    assert "Codertocat/Hello-World" not in json.dumps(event)  # every URL moved

    first = review_comment_event("/codex hi")  # the defaults: a thread's first comment
    assert "in_reply_to_id" not in first["comment"]
    assert (first["comment"]["id"], first["comment"]["pull_request_review_id"]) == (
        EXAMPLE_COMMENT_ID,
        EXAMPLE_REVIEW_ID,
    )
    assert (first["comment"]["start_line"], first["comment"]["start_side"]) == (None, None)
    assert (first["comment"]["diff_hunk"], first["pull_request"]["number"]) == (HUNK, 1)
    # The builders work on copies: the example stays as GitHub published it.
    assert payload("pull_request_review_comment.created.1")["comment"]["id"] == EXAMPLE_COMMENT_ID


def test_events_from_a_fork() -> None:
    event = review_comment_event("/codex hi", head_repo="eve/hello-world", head_ref="patch-1")
    head = event["pull_request"]["head"]
    assert (head["repo"]["full_name"], head["repo"]["owner"]["login"], head["repo"]["fork"]) == (
        "eve/hello-world",
        "eve",
        True,
    )
    assert (head["label"], head["user"]["login"], event["pull_request"]["user"]["login"]) == (
        "eve:patch-1",
        "eve",
        "eve",
    )
    assert head["repo"]["url"].endswith("/repos/eve/hello-world")
    assert event["repository"]["full_name"] == REPO
    assert event["pull_request"]["base"]["repo"]["full_name"] == REPO

    review = review_event(None, head_repo="eve/hello-world", head_ref="patch-1")
    assert review["pull_request"]["head"]["repo"]["full_name"] == "eve/hello-world"
    assert review["pull_request"]["head"]["ref"] == "patch-1"


def test_review_event_is_what_it_was_asked_for() -> None:
    event = review_event(
        "Please split this.",
        state="approved",
        pull_number=3,
        review_id=4_000_000_050,
        login="alice",
        head_ref="topic",
        base_ref="develop",
    )
    review, pull = event["review"], event["pull_request"]
    assert event["action"] == "submitted"
    assert (review["id"], review["body"], review["state"], review["user"]["login"]) == (
        4_000_000_050,
        "Please split this.",
        "approved",
        "alice",
    )
    assert review["html_url"].endswith(f"/{REPO}/pull/3#pullrequestreview-4000000050")
    assert review["pull_request_url"].endswith(f"/repos/{REPO}/pulls/3")
    assert event["sender"]["login"] == "alice"
    assert (pull["number"], pull["head"]["ref"], pull["base"]["ref"]) == (3, "topic", "develop")
    assert (pull["head"]["repo"]["full_name"], event["repository"]["full_name"]) == (REPO, REPO)
    assert "Codertocat/Hello-World" not in json.dumps(event)

    default = review_event(None)
    assert (default["review"]["state"], default["review"]["body"]) == ("changes_requested", None)
    assert (default["review"]["id"], default["pull_request"]["number"]) == (EXAMPLE_REVIEW_ID, 1)
    assert payload("pull_request_review.submitted.0")["review"]["state"] == "commented"


def test_a_review_comment_event_matches_the_fakes_comment(
    github: GitHubFake, g: Github, feature: str
) -> None:
    """The builder's defaults describe the same spot the fake computes for the seeded diff."""
    number = github.add_pull(feature, "main", "Say x", None, "alice")
    root = github.add_review_comment(number, "src/app.py", 2, "/codex why x?", "bob")
    served = _pull(g, number).get_review_comment(root)
    event = review_comment_event("/codex why x?", pull_number=number, comment_id=root, login="bob")
    c = event["comment"]
    assert (c["path"], c["line"], c["diff_hunk"], c["body"]) == (
        served.path,
        served.line,
        served.diff_hunk,
        served.body,
    )
    assert urlsplit(c["url"]).path == urlsplit(served.url).path.removeprefix("/api/v3")


def test_a_persons_review_and_its_comments(github: GitHubFake, g: Github, feature: str) -> None:
    number = github.add_pull(feature, "main", "Say x", None, "alice")
    review_id = github.add_review(
        number,
        "bob",
        body="Please rework x.",
        comments=[
            {"path": "src/app.py", "line": 2, "body": "/codex why x?"},
            {"path": "src/app.py", "line": 2, "start_line": 1, "body": "And both lines."},
        ],
    )
    first, second = (c.id for c in github.review_comments(number))
    github.add_review_reply(first, "Because.", "alice")  # in a review of its own
    github.add_review_comment(number, "src/app.py", 1, "Single comment.", "bob")  # ditto
    pr = _pull(g, number)

    before = len(github.requests)
    listed = list(pr.get_single_review_comments(review_id))
    assert _sent(github, before) == [
        ("GET", f"/repos/{REPO}/pulls/{number}/reviews/{review_id}/comments", 200)
    ]
    assert [
        (c.id, c.user.login, c.body, c.path, c.line, c.start_line, c.diff_hunk) for c in listed
    ] == [
        (first, "bob", "/codex why x?", "src/app.py", 2, None, HUNK),
        (second, "bob", "And both lines.", "src/app.py", 2, 1, HUNK),
    ]
    assert [c.in_reply_to_id is None for c in listed] == [True, True]  # both start a thread
    assert {c.pull_request_review_id for c in listed} == {review_id}

    before = len(github.requests)
    review = pr.get_review(review_id)  # PyGithub fetches it at once: no completing later
    assert (review.id, review.state, review.body, review.user.login) == (
        review_id,
        "CHANGES_REQUESTED",
        "Please rework x.",
        "bob",
    )
    assert _sent(github, before) == [
        ("GET", f"/repos/{REPO}/pulls/{number}/reviews/{review_id}", 200)
    ]
    assert [(r.user, r.state) for r in github.reviews(number)] == [
        ("bob", "CHANGES_REQUESTED"),
        ("alice", "COMMENTED"),  # the reply's
        ("bob", "COMMENTED"),  # the single comment's
    ]


def test_a_reviews_comments_come_in_pages(github: GitHubFake, feature: str) -> None:
    number = github.add_pull(feature, "main", "Say x", None, "alice")
    comments = [{"path": "src/app.py", "line": 2, "body": f"Note {n}."} for n in range(3)]
    review_id = github.add_review(number, "bob", state="COMMENTED", comments=comments)
    client = Github(
        auth=Auth.Token(github.token),
        base_url=github.api_url,
        lazy=True,
        per_page=2,
        retry=None,
        seconds_between_requests=0,
    )
    before = len(github.requests)
    listed = client.get_repo(REPO).get_pull(number).get_single_review_comments(review_id)
    assert [c.body for c in listed] == ["Note 0.", "Note 1.", "Note 2."]  # oldest first
    client.close()
    api = f"/repos/{REPO}/pulls/{number}/reviews/{review_id}/comments"
    assert [(r.method, r.path, r.query, r.status) for r in github.requests[before:]] == [
        ("GET", api, {"per_page": "2"}, 200),
        ("GET", api, {"per_page": "2", "page": "2"}, 200),
    ]


def test_a_review_that_is_not_there_or_not_ours_to_see(
    github: GitHubFake, g: Github, feature: str
) -> None:
    number = github.add_pull(feature, "main", "Say x", None, "alice")
    other = github.add_pull("patch-1", "main", "Other", None, "eve", "eve/hello-world")
    elsewhere = github.add_review(other, "bob", body="Not on this one.")
    draft = github.add_review(
        number,
        "bob",
        state="PENDING",
        comments=[{"path": "src/app.py", "line": 2, "body": "Draft."}],
    )
    assert [r.submitted_at for r in github.reviews(number)] == [None]
    pr = _pull(g, number)
    for review_id in (999, elsewhere, draft):  # a pending review: its author's alone
        with pytest.raises(UnknownObjectException) as unknown:
            list(pr.get_single_review_comments(review_id))
        assert unknown.value.status == 404
        with pytest.raises(GithubException) as failed:
            pr.get_review(review_id)
        assert failed.value.status == 404
    assert [c.body for c in _pull(g, other).get_single_review_comments(elsewhere)] == []


def test_add_review_refuses_what_github_would(github: GitHubFake, feature: str) -> None:
    number = github.add_pull(feature, "main", "Say x", None, "alice")
    fine = {"path": "src/app.py", "line": 2, "body": "Fine."}
    off = {"path": "src/app.py", "line": 9, "body": "Off the diff."}
    with pytest.raises(ValueError, match="line must be part of the diff"):
        github.add_review(number, "bob", comments=[fine, off])
    with pytest.raises(ValueError, match="must precede"):
        github.add_review(number, "bob", comments=[{**fine, "start_line": 2}])
    with pytest.raises(ValueError, match="needs a body or a comment"):
        github.add_review(number, "bob")
    with pytest.raises(ValueError, match="own pull request"):
        github.add_review(number, "alice", body="LGTM", state="APPROVED")
    assert (github.reviews(number), github.review_comments(number)) == ([], [])  # all or none
