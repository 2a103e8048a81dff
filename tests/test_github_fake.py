"""The GitHub REST fake (tests/rig/github_fake.py), driven by real PyGithub."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from github import Auth, Github, GithubException
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededException,
    UnknownObjectException,
)

from tests.rig.github_fake import SECONDARY_RATE_LIMIT, SPEC_PATH, GitHubFake

RIG = Path(__file__).parent / "rig" / "github_fake.py"


@pytest.fixture
def fake() -> Iterator[GitHubFake]:
    with GitHubFake() as gh:
        yield gh


def connect(fake: GitHubFake, token: str | None = None) -> Github:
    return Github(
        auth=Auth.Token(token or fake.token),
        base_url=fake.api_url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=None,
    )


@pytest.fixture
def g(fake: GitHubFake) -> Iterator[Github]:
    client = connect(fake)
    yield client
    client.close()


def raw(
    fake: GitHubFake, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """One request without PyGithub, e.g. one PyGithub would never send."""
    url = urlsplit(fake.api_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        conn.request(
            method,
            url.path + path,
            None if body is None else json.dumps(body),
            {"Authorization": f"Bearer {token or fake.token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def test_repo_permission_comment_reaction(fake: GitHubFake, g: Github) -> None:
    fake.set_permission("alice", "maintain")
    number = fake.add_issue("Make it faster", "please", "mallory")
    request_id = fake.add_comment(number, "/codex make it faster", "alice")

    repo = g.get_repo("octo-org/hello-world")
    assert (repo.full_name, repo.default_branch, repo.private) == (
        "octo-org/hello-world",
        "main",
        False,
    )
    assert repo.url == f"{fake.api_url}/repos/octo-org/hello-world"
    assert repo.get_collaborator_permission("alice") == "write"  # legacy name of maintain
    assert repo.get_collaborator_role_name("alice") == "maintain"
    assert repo.get_collaborator_permission("mallory") == "read"  # public repo, no collaborator
    with pytest.raises(UnknownObjectException):
        repo.get_collaborator_permission("nobody-at-all")

    issue = repo.get_issue(number)
    assert issue.pull_request is None
    request = issue.get_comment(request_id)
    assert (request.user.login, request.body) == ("alice", "/codex make it faster")
    assert request.create_reaction("eyes").content == "eyes"
    request.create_reaction("eyes")  # again: 200 and the same reaction
    reply = issue.create_comment("Working on it")
    reply.edit("Done")
    assert (reply.user.login, reply.user.type, reply.body) == ("github-actions[bot]", "Bot", "Done")
    assert reply.html_url == (
        f"{fake.server_url}/octo-org/hello-world/issues/{number}#issuecomment-{reply.id}"
    )
    issue.create_reaction("rocket")

    assert [r.status for r in fake.requests if "reactions" in r.path] == [201, 200, 201]
    assert [r.content for r in fake.reactions(request_id)] == ["eyes"]
    assert [r.content for r in fake.issue_reactions(number)] == ["rocket"]
    assert [(c.user, c.body) for c in fake.comments(number)] == [
        ("alice", "/codex make it faster"),
        ("github-actions[bot]", "Done"),
    ]
    assert {r.token for r in fake.requests} == {fake.token}
    assert fake.validation_errors == []


def test_pull_request_lifecycle(fake: GitHubFake, g: Github) -> None:
    fake.set_permission("alice", "write")
    issue_number = fake.add_issue("Bug", None, "alice")
    repo = g.get_repo("octo-org/hello-world")
    pr = repo.create_pull(
        base="main", head="codex/fix-1", title="Fix", body="Closes #1", draft=True
    )
    assert pr.number == issue_number + 1  # PRs and issues share one sequence
    assert (pr.head.ref, pr.head.label, pr.base.ref, pr.draft) == (
        "codex/fix-1",
        "octo-org:codex/fix-1",
        "main",
        True,
    )
    assert pr.html_url == f"{fake.server_url}/octo-org/hello-world/pull/{pr.number}"

    with pytest.raises(GithubException) as dup:
        repo.create_pull(base="main", head="codex/fix-1", title="Again")
    assert dup.value.status == 422
    assert dup.value.data["message"] == "Validation Failed"
    assert dup.value.data["errors"][0]["message"] == (
        "A pull request already exists for octo-org:codex/fix-1."
    )

    as_issue = repo.get_issue(pr.number)
    assert as_issue.pull_request is not None
    assert as_issue.as_pull_request().title == "Fix"
    as_issue.edit(labels=["codex"], assignees=["alice", "outsider"])  # outsider: dropped
    pr.create_review_request(reviewers=["alice"])
    got = repo.get_pull(pr.number)
    assert [x.name for x in got.labels] == ["codex"]
    assert [u.login for u in got.assignees] == ["alice"]
    assert [u.login for u in got.requested_reviewers] == ["alice"]

    assert [p.number for p in repo.get_pulls(head="octo-org:codex/fix-1")] == [pr.number]
    assert list(repo.get_pulls(head="octo-org:other")) == []
    fake.add_pull("feature", "main", "Theirs", user_login="bob")
    # Like GitHub, a head without "owner:" is ignored: every open pull request comes back.
    assert len(list(repo.get_pulls(head="codex/fix-1"))) == 2
    fork = repo.get_pull(fake.add_pull("patch-1", "main", "Fork", None, "eve", "eve/hello-world"))
    assert (fork.head.label, fork.head.repo.full_name, fork.head.repo.fork) == (
        "eve:patch-1",
        "eve/hello-world",
        True,
    )
    assert [p.title for p in repo.get_pulls(head="eve:patch-1")] == ["Fork"]
    pr.edit(state="closed")
    assert [p.number for p in repo.get_pulls(state="closed")] == [pr.number]
    with pytest.raises(UnknownObjectException):
        repo.get_pull(issue_number)  # an issue is no pull request
    assert [p.title for p in fake.pulls] == ["Fix", "Theirs", "Fork"]
    assert fake.validation_errors == []


def test_pull_request_rules_against_a_real_branch_list(tmp_path: Path) -> None:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    work = tmp_path / "work"
    env = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "clone", "-q", str(bare), str(work)], check=True, capture_output=True)
    for branch, files in (("main", ["a"]), ("empty", []), ("busy", ["b"])):
        subprocess.run(["git", "-C", str(work), "checkout", "-q", "-B", branch], check=True)
        for name in files:
            (work / name).write_text(name)
        subprocess.run(["git", "-C", str(work), "add", "-A"], check=True)
        subprocess.run(
            ["git", "-C", str(work), *env, "commit", "-q", "--allow-empty", "-m", branch],
            check=True,
        )
    subprocess.run(
        ["git", "-C", str(work), "push", "-q", "origin", "--all"], check=True, capture_output=True
    )

    def branch_sha(branch: str) -> str | None:
        done = subprocess.run(
            ["git", "-C", str(bare), "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
            capture_output=True,
            text=True,
        )
        return done.stdout.strip() or None

    def commits_between(base: str, head: str) -> int:
        done = subprocess.run(
            [
                "git",
                "-C",
                str(bare),
                "rev-list",
                "--count",
                "--no-merges",
                f"{base}..{head}",
                "--",
                ".",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(done.stdout)

    with GitHubFake(branch_sha=branch_sha, commits_between=commits_between) as fake:
        g = connect(fake)
        repo = g.get_repo("octo-org/hello-world")
        with pytest.raises(GithubException) as empty:
            repo.create_pull(base="main", head="empty", title="Nothing")
        assert empty.value.data["errors"][0]["message"] == "No commits between main and empty"
        with pytest.raises(GithubException) as missing:
            repo.create_pull(base="main", head="gone", title="Gone")
        assert missing.value.data["errors"] == [
            {"resource": "PullRequest", "field": "head", "code": "invalid"}
        ]
        pr = repo.create_pull(base="main", head="busy", title="Busy")
        assert (pr.head.sha, pr.commits) == (branch_sha("busy"), 1)
        g.close()
        assert fake.validation_errors == []


def test_bad_token_is_401_and_recorded(fake: GitHubFake) -> None:
    g = connect(fake, token="ghs_wrong")
    with pytest.raises(BadCredentialsException) as err:
        g.get_repo("octo-org/hello-world")
    g.close()
    assert err.value.status == 401
    assert err.value.data["message"] == "Bad credentials"
    assert (fake.requests[-1].token, fake.requests[-1].status) == ("ghs_wrong", 401)
    assert fake.validation_errors == []


def test_invalid_requests_are_rejected_and_recorded(fake: GitHubFake, g: Github) -> None:
    status, body = raw(
        fake, "POST", "/repos/octo-org/hello-world/pulls", {"title": "No head", "base": "main"}
    )
    assert status == 422
    assert "'head' is a required property" in body["message"]
    assert len(fake.validation_errors) == 1
    assert "pulls/create" in fake.validation_errors[0]

    number = fake.add_issue("x", None, "alice")
    status, _ = raw(
        fake, "POST", f"/repos/octo-org/hello-world/issues/{number}/comments", {"bdy": "typo"}
    )  # GitHub would ignore the field: the fake says so
    assert status == 422
    assert "'bdy' was unexpected" in fake.validation_errors[-1]

    # PyGithub's add_to_labels sends a bare JSON array, which GitHub accepts but its
    # OpenAPI description does not: use {"labels": [...]} or issue.edit(labels=...).
    with pytest.raises(GithubException) as labels:
        g.get_repo("octo-org/hello-world").get_issue(number).add_to_labels("bug")
    assert labels.value.status == 422
    status, _ = raw(fake, "GET", "/repos/octo-org/hello-world/branches")  # not in the subset
    assert status == 404
    assert "no such operation" in fake.validation_errors[-1]
    conn = http.client.HTTPConnection(urlsplit(fake.server_url).netloc, timeout=5)
    conn.request("GET", "/repos/octo-org/hello-world")  # api.github.com style: no /api/v3
    assert conn.getresponse().status == 404
    conn.close()
    assert "outside" in fake.validation_errors[-1]
    assert len(fake.validation_errors) == 5
    assert fake.comments(number) == []


def test_fail_next(fake: GitHubFake, g: Github) -> None:
    fake.fail_next("GET", r"^/repos/[^/]+/[^/]+$", 502, times=2)
    with pytest.raises(GithubException) as first:
        g.get_repo("octo-org/hello-world")
    assert first.value.status == 502
    with pytest.raises(GithubException):
        g.get_repo("octo-org/hello-world")
    repo = g.get_repo("octo-org/hello-world")  # third time lucky
    number = fake.add_issue("x", None, "alice")
    fake.fail_next("POST", r"/issues/\d+/comments$", 403, headers={"Retry-After": "1"})
    with pytest.raises(RateLimitExceededException) as limited:
        repo.get_issue(number).create_comment("hello")
    assert limited.value.data["message"] == SECONDARY_RATE_LIMIT
    assert limited.value.headers is not None
    assert limited.value.headers["retry-after"] == "1"
    repo.get_issue(number).create_comment("hello")
    assert [(r.status, r.injected) for r in fake.requests if r.method == "POST"] == [
        (403, True),
        (201, False),
    ]
    assert [c.body for c in fake.comments(number)] == ["hello"]
    assert fake.validation_errors == []


def test_user_rate_limit_and_paging(fake: GitHubFake, g: Github) -> None:
    with pytest.raises(GithubException) as err:  # what GITHUB_TOKEN gets from GET /user
        _ = g.get_user().login
    assert err.value.status == 403
    assert g.get_rate_limit().resources.core.limit == 5000
    number = fake.add_issue("chatty", None, "alice")
    for n in range(35):
        fake.add_comment(number, f"comment {n}", "alice")
    comments = g.get_repo("octo-org/hello-world").get_issue(number).get_comments()
    assert [c.body for c in comments][-1] == "comment 34"
    assert len([r for r in fake.requests if r.path.endswith("/comments")]) == 2  # 30 + 5
    with GitHubFake(app_login="octocat") as as_user:
        user_client = connect(as_user)
        assert user_client.get_user().login == "octocat"
        user_client.close()
        assert as_user.validation_errors == []
    assert fake.validation_errors == []


def test_spec_fixture_is_a_valid_openapi_description() -> None:
    from openapi_spec_validator import validate

    validate(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def test_standalone_process_serves_and_dumps_state(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    dump = tmp_path / "dump.json"
    state.write_text(
        json.dumps(
            {
                "permissions": {"alice": "admin"},
                "issues": [{"title": "Hello", "body": "world", "user": "alice"}],
                "comments": [{"issue": 1, "body": "/codex hi", "user": "alice"}],
            }
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(RIG), "--port", "0", "--state", str(state), "--dump", str(dump)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY http://127.0.0.1:")
        api_url = line.split()[1]
        g = Github(
            auth=Auth.Token("ghs_test_fake_token"),
            base_url=api_url,
            seconds_between_requests=0,
            seconds_between_writes=0,
            retry=None,
        )
        issue = g.get_repo("octo-org/hello-world").get_issue(1)
        assert [c.body for c in issue.get_comments()] == ["/codex hi"]
        issue.create_comment("hi back")
        g.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        if proc.stdout is not None:
            proc.stdout.close()
    final = json.loads(dump.read_text())
    assert [c["body"] for c in final["comments"]] == ["/codex hi", "hi back"]
    assert final["validation_errors"] == []


def test_branches_tell_protection_and_rules_apply_per_branch() -> None:
    tips = {"main": "a" * 40, "release": "b" * 40, "feature/x": "c" * 40}
    with GitHubFake(branch_sha=tips.get) as fake:
        fake.protect_branch("release")
        fake.set_branch_rules(
            "feature/x",
            {"type": "non_fast_forward"},
            {"type": "update", "parameters": {"update_allows_fetch_and_merge": False}},
        )
        g = connect(fake)
        repo = g.get_repo("octo-org/hello-world")
        release, main = repo.get_branch("release"), repo.get_branch("main")
        assert (release.protected, main.protected) == (True, False)
        assert release.commit.sha == tips["release"]
        assert repo.get_branch("feature/x").name == "feature/x"  # sent as feature%2Fx
        with pytest.raises(UnknownObjectException) as gone:
            repo.get_branch("gone")
        assert gone.value.data["message"] == "Branch not found"
        g.close()

        status, rules = raw(fake, "GET", "/repos/octo-org/hello-world/rules/branches/feature%2Fx")
        assert status == 200
        assert [r["type"] for r in rules] == ["non_fast_forward", "update"]
        assert {r["ruleset_source"] for r in rules} == {"octo-org/hello-world"}
        assert raw(fake, "GET", "/repos/octo-org/hello-world/rules/branches/main") == (200, [])
        fake.protect_branch("release", False)
        status, branch = raw(fake, "GET", "/repos/octo-org/hello-world/branches/release")
        assert (status, branch["protected"], branch["protection"]["enabled"]) == (200, False, False)
        assert fake.validation_errors == []


def test_bodies_longer_than_github_allows_are_refused(fake: GitHubFake, g: Github) -> None:
    repo = g.get_repo("octo-org/hello-world")
    issue = repo.get_issue(fake.add_issue("x", None, "alice"))
    comment = issue.create_comment("é" * 65_536)  # characters, not bytes
    with pytest.raises(GithubException) as long_comment:
        issue.create_comment("x" * 65_537)
    assert long_comment.value.status == 422
    assert long_comment.value.data["errors"] == [
        {
            "resource": "IssueComment",
            "code": "custom",
            "field": "body",
            "message": "body is too long (maximum is 65536 characters)",
        }
    ]
    with pytest.raises(GithubException):
        comment.edit("x" * 65_537)
    with pytest.raises(GithubException) as long_pull:
        repo.create_pull(base="main", head="feature", title="Long", body="x" * 65_537)
    assert long_pull.value.data["errors"][0]["resource"] == "PullRequest"
    assert [c.body for c in fake.comments(issue.number)] == ["é" * 65_536]
    assert fake.validation_errors == []


def test_closed_and_merged_pull_requests(fake: GitHubFake, g: Github) -> None:
    merged = fake.add_pull("feature", "main", "Done", None, "alice")
    closed = fake.add_pull("idea", "main", "Dropped", None, "alice")
    fake.close_pull(merged, merged=True, by="bob")
    fake.close_pull(closed)

    repo = g.get_repo("octo-org/hello-world")
    done, dropped = repo.get_pull(merged), repo.get_pull(closed)

    assert (done.state, done.merged, done.merged_by.login) == ("closed", True, "bob")
    assert done.merged_at is not None
    assert (dropped.state, dropped.merged, dropped.merged_at) == ("closed", False, None)
    assert [p.number for p in repo.get_pulls(state="closed")] == [closed, merged]
    assert fake.validation_errors == []
