"""One GitHub fake serving several repositories (a fleet's targets), each with its own git
remote and state, driven over HTTP by PyGithub configured as bot/github_api.py configures it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from github import Github
from github.GithubException import GithubException, UnknownObjectException

from tests.action_rig import TOKEN
from tests.rig.git_remote import GitRemote, committed, git
from tests.rig.github_fake import GitHubFake, GitHubRepository

API, WEB = "octo-org/api", "octo-org/web"


@pytest.fixture
def targets(github: GitHubFake, tmp_path: Path) -> Iterator[dict[str, GitHubRepository]]:
    """api and web next to the `github` fixture's octo-org/hello-world, each on its own
    remote with one commit of its own."""
    remotes = [GitRemote(tmp_path / "targets", full_name=name, token=TOKEN) for name in (API, WEB)]
    for remote in remotes:
        remote.seed({"README.md": f"# {remote.full_name}\n"})
        remote.start()
    try:
        yield {r.full_name: github.add_repository(r.full_name, remote=r) for r in remotes}
    finally:
        for remote in remotes:
            remote.stop()


def push_branch(repo: GitHubRepository, remote_root: Path, branch: str, tmp_path: Path) -> str:
    """A commit on a new `branch` of `repo`'s remote, pushed as a person would; its sha."""
    work = tmp_path / f"work-{repo.full_name.replace('/', '-')}"
    git("clone", "-q", str(remote_root / f"{repo.full_name}.git"), str(work))
    git("checkout", "-q", "-b", branch, cwd=work)
    (work / "hello.txt").write_text(f"hello from {repo.full_name}\n")
    sha = committed(work, "Say hello")
    git("push", "-q", "origin", f"HEAD:{branch}", cwd=work)
    return sha


def test_issues_and_comments_of_one_repository_are_invisible_in_another(
    github: GitHubFake, targets: dict[str, GitHubRepository], g: Github
) -> None:
    api, web = targets[API], targets[WEB]
    number = api.add_issue("Flaky test", "It fails on Tuesdays.", "alice")
    g.get_repo(API).get_issue(number).create_comment("Looking into it.")

    assert [c.body for c in api.comments(number)] == ["Looking into it."]
    assert (web.issues, github.issues) == ([], [])
    with pytest.raises(UnknownObjectException):
        g.get_repo(WEB).get_issue(number).create_comment("Not here.")
    with pytest.raises(UnknownObjectException):
        g.get_repo("octo-org/hello-world").get_issue(number).get_comments().totalCount  # noqa: B018

    # Numbers are the repository's own; ids are unique across the server, as on GitHub.
    same = web.add_issue("Another first issue", None, "bob")
    assert same == number == 1
    comment = web.add_comment(same, "Me too.", "bob")
    assert comment not in {c.id for c in api.comments(number)}
    assert [c.body for c in g.get_repo(WEB).get_issue(same).get_comments()] == ["Me too."]
    assert github.validation_errors == []


def test_a_pull_request_in_one_repository_points_at_its_own_branches(
    github: GitHubFake, targets: dict[str, GitHubRepository], g: Github, tmp_path: Path
) -> None:
    web = targets[WEB]
    sha = push_branch(web, tmp_path / "targets", "greeting", tmp_path)

    made = g.get_repo(WEB).create_pull(base="main", head="greeting", title="Greet")
    assert (made.head.sha, made.head.repo.full_name, made.base.repo.full_name) == (sha, WEB, WEB)
    assert made.html_url == f"{github.server_url}/{WEB}/pull/1"
    assert [f.filename for f in made.get_files()] == ["hello.txt"]
    assert [p.head for p in web.pulls] == ["greeting"]
    assert (targets[API].pulls, github.pulls) == ([], [])
    # The branch is web's: api has no such branch, nor do its Git Data API or refs.
    with pytest.raises(GithubException) as refused:
        g.get_repo(API).create_pull(base="main", head="greeting", title="Greet")
    assert refused.value.status == 422
    assert g.get_repo(WEB).get_git_ref("heads/greeting").object.sha == sha
    with pytest.raises(UnknownObjectException):
        g.get_repo(API).get_git_ref("heads/greeting").object.sha  # noqa: B018
    assert github.validation_errors == []


def test_permissions_are_each_repositorys_own_and_users_the_servers(
    github: GitHubFake, targets: dict[str, GitHubRepository], g: Github
) -> None:
    targets[API].set_permission("alice", "write")
    private = github.add_repository("octo-org/vault", private=True, default_branch="trunk")

    assert g.get_repo(API).get_collaborator_permission("alice") == "write"
    assert g.get_repo(WEB).get_collaborator_permission("alice") == "read"  # public, known
    assert g.get_repo("octo-org/vault").get_collaborator_permission("alice") == "none"
    _, vault = g.requester.requestJsonAndCheck("GET", "/repos/octo-org/vault")
    assert (vault["private"], vault["default_branch"]) == (True, "trunk")
    assert private.requests[-1].operation == "repos/get"
    assert github.validation_errors == []


def test_each_request_names_its_repository(
    github: GitHubFake, targets: dict[str, GitHubRepository], g: Github
) -> None:
    api, web = targets[API], targets[WEB]
    number = api.add_issue("One", None, "alice")
    g.get_repo(API).get_issue(number).create_comment("a")
    g.get_repo(API).get_issue(number).create_comment("b")
    g.get_repo(WEB).get_pulls().totalCount  # noqa: B018
    g.get_rate_limit()

    assert [r.repository for r in github.requests] == [API, API, WEB, ""]
    assert [r.operation for r in api.requests] == ["issues/create-comment"] * 2
    assert [r.operation for r in web.requests] == ["pulls/list"]
    assert github.repository("octo-org/hello-world").requests == []
    # The repository's own spelling, whatever case the path had.
    g.get_repo("Octo-Org/API").get_issue(number).create_comment("c")
    assert github.requests[-1].repository == API
    assert len(api.requests) == 3


def test_a_repository_never_added_is_not_found(
    github: GitHubFake, targets: dict[str, GitHubRepository], g: Github
) -> None:
    with pytest.raises(UnknownObjectException):
        g.get_repo("octo-org/secret").get_issue(1).create_comment("hello?")
    [rec] = github.requests
    assert (rec.repository, rec.status, rec.operation) == (
        "octo-org/secret",
        404,
        "issues/create-comment",
    )
    with pytest.raises(KeyError):
        github.repository("octo-org/secret")
    with pytest.raises(ValueError, match="served already"):
        github.add_repository(API.upper())
    assert github.validation_errors == []


def test_a_repositorys_fault_fails_only_its_requests(
    github: GitHubFake, targets: dict[str, GitHubRepository], g: Github
) -> None:
    for repo in targets.values():
        repo.add_issue("One", None, "alice")
    targets[WEB].fail_next("POST", r"/issues/\d+/comments$", 502)

    g.get_repo(API).get_issue(1).create_comment("fine")
    with pytest.raises(GithubException) as failed:
        g.get_repo(WEB).get_issue(1).create_comment("fails once")
    g.get_repo(WEB).get_issue(1).create_comment("fine again")

    assert failed.value.status == 502
    assert [(r.repository, r.status, r.injected) for r in github.requests] == [
        (API, 201, False),
        (WEB, 502, True),
        (WEB, 201, False),
    ]


def test_issues_are_listed_created_and_updated_with_labels(
    github: GitHubFake, targets: dict[str, GitHubRepository], g: Github, tmp_path: Path
) -> None:
    api = targets[API]
    api.add_issue("Old bug", None, "alice")
    api.add_label(1, "bug")
    push_branch(api, tmp_path / "targets", "fix", tmp_path)
    api.add_pull("fix", "main", "Fix the old bug", None, "alice")
    api.add_label(2, "bug")
    repo = g.get_repo(API)

    made = repo.create_issue("Fleet: nightly", "<!-- mark -->\nAll well.", labels=["codex-fleet"])
    # A label may be an object too (PyGithub sends only names); a name in another case is
    # the label that exists.
    labels = [{"name": "Codex-Fleet"}, "ops"]
    _, again = g.requester.requestJsonAndCheck(
        "POST", f"/repos/{API}/issues", input={"title": "Fleet: other", "labels": labels}
    )

    assert (made.number, made.user.login, [x.name for x in made.labels]) == (
        3,
        "github-actions[bot]",
        ["codex-fleet"],
    )
    assert [x["name"] for x in again["labels"]] == ["codex-fleet", "ops"]
    assert set(api.state.labels) >= {"codex-fleet", "ops"}  # created as GitHub creates them
    # Newest first; pull requests too, marked as such.
    assert [(i.number, i.pull_request is not None) for i in repo.get_issues()] == [
        (4, False),
        (3, False),
        (2, True),
        (1, False),
    ]
    assert [i.number for i in repo.get_issues(labels=["CODEX-fleet", "ops"])] == [4]
    assert [i.number for i in repo.get_issues(labels=["bug"])] == [2, 1]
    _, by_alice = g.requester.requestJsonAndCheck(
        "GET", f"/repos/{API}/issues", parameters={"creator": "ALICE"}
    )
    assert [i["number"] for i in by_alice] == [2, 1]

    made.edit(body="<!-- mark -->\nAll fixed.", state="closed", state_reason="completed")
    assert [i.number for i in repo.get_issues(state="closed")] == [3]
    assert [i.number for i in repo.get_issues(state="all", labels=["codex-fleet"])] == [4, 3]
    [closed] = [i for i in api.issues_with_label("codex-fleet") if i.state == "closed"]
    assert (closed.body, closed.state_reason) == ("<!-- mark -->\nAll fixed.", "completed")
    made.edit(state="open")
    [reopened] = [i for i in api.issues if i.number == 3]
    assert (reopened.state, reopened.state_reason) == ("open", "reopened")
    assert (targets[WEB].issues, github.issues) == ([], [])
    assert github.validation_errors == []


def test_issues_are_listed_a_page_at_a_time(
    github: GitHubFake, targets: dict[str, GitHubRepository], g: Github
) -> None:
    for n in range(5):
        targets[API].add_issue(f"Issue {n}", None, "alice")
    _, first = g.requester.requestJsonAndCheck(
        "GET", f"/repos/{API}/issues", parameters={"per_page": 2, "page": 1, "state": "all"}
    )
    headers, last = g.requester.requestJsonAndCheck(
        "GET", f"/repos/{API}/issues", parameters={"per_page": 2, "page": 3, "state": "all"}
    )
    assert [i["number"] for i in first] == [5, 4]
    assert [i["number"] for i in last] == [1]
    assert 'rel="first"' in headers["link"]
    assert github.validation_errors == []
