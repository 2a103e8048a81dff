"""What a follow-up reads of GitHub through bot.github_api, against the GitHub fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.errors import GitHubError
from bot.forge import Access, Thread
from bot.github_api import GitHub
from tests.rig.github_fake import GitHubFake

TIPS = {"main": "a" * 40, "feature": "b" * 40, "release/1.x": "c" * 40}


@pytest.fixture
def fake() -> Iterator[GitHubFake]:
    with GitHubFake(branch_sha=TIPS.get) as fake:
        yield fake
    assert fake.validation_errors == []


@pytest.fixture
def github(fake: GitHubFake) -> Iterator[GitHub]:
    client = GitHub(api_url=fake.api_url, repository="octo-org/hello-world", token=fake.token)
    yield client
    client.close()


def test_a_pull_request_costs_one_request_and_tells_its_state(
    fake: GitHubFake, github: GitHub
) -> None:
    open_number = fake.add_pull("feature", "main", "Open", None, "alice")
    merged_number = fake.add_pull("feature", "release/1.x", "Merged", None, "alice")
    closed_number = fake.add_pull("release/1.x", "main", "Closed", None, "alice")
    fake.close_pull(merged_number, merged=True)
    fake.close_pull(closed_number)

    found = [github.pull(n) for n in (open_number, merged_number, closed_number)]

    assert [(p.open, p.merged) for p in found] == [(True, False), (False, True), (False, False)]
    assert [p.head_branch for p in found] == ["feature", "feature", "release/1.x"]
    assert [r.operation for r in fake.requests] == ["pulls/get"] * 3


def test_protection_and_rules_of_a_branch(fake: GitHubFake, github: GitHub) -> None:
    fake.protect_branch("release/1.x")
    fake.set_branch_rules("feature", {"type": "non_fast_forward"}, {"type": "required_signatures"})

    assert github.branch_protected("release/1.x") is True
    assert github.branch_protected("feature") is False
    assert github.branch_rules("feature") == ["non_fast_forward", "required_signatures"]
    assert github.branch_rules("release/1.x") == []
    assert [r.query for r in fake.requests if r.operation == "repos/get-branch-rules"] == [
        {"per_page": "100"},
        {"per_page": "100"},
    ]


@pytest.mark.parametrize("status", [403, 404])
def test_rules_hidden_from_the_token_are_none(
    fake: GitHubFake, github: GitHub, status: int
) -> None:
    fake.fail_next("GET", r"/rules/branches/", status, body={"message": "Not Found"})
    assert github.branch_rules("feature") == []


def test_other_failures_to_read_rules_or_branches_stop_the_run(
    fake: GitHubFake, github: GitHub
) -> None:
    fake.fail_next("GET", r"/rules/branches/", 401, body={"message": "Bad credentials"})
    with pytest.raises(GitHubError, match="read the rules of the branch feature: 401"):
        github.branch_rules("feature")
    with pytest.raises(GitHubError, match="read the branch gone: 404 Branch not found"):
        github.branch_protected("gone")


def test_a_title_too_long_for_github_is_cut(fake: GitHubFake, github: GitHub) -> None:
    pull, created = github.open_pull(head="feature", base="main", title="Add " * 100, body="")
    github.update_pull(pull.number, title="Change " * 100, body="")

    [sent_first, sent_then] = [r.body["title"] for r in fake.requests if r.method != "GET"]
    assert created
    assert max(len(sent_first), len(sent_then)) <= 256
    assert sent_first.endswith("Add…")
    assert sent_then.endswith("Change…")


@pytest.mark.parametrize(
    ("role", "access"),
    [
        ("admin", Access.ADMIN),
        ("maintain", Access.WRITE),  # GitHub reports maintain as write
        ("write", Access.WRITE),
        ("triage", Access.READ),  # and triage as read
        ("read", Access.READ),
        ("none", Access.NONE),
    ],
)
def test_githubs_roles_become_the_forges_access(
    fake: GitHubFake, github: GitHub, role: str, access: Access
) -> None:
    fake.set_permission("alice", role)
    assert github.access("alice") is access
    assert github.access("alice").can_push is (role in ("admin", "maintain", "write"))


def test_github_out_of_reach_is_a_github_error_not_a_crash() -> None:
    # After PyGithub's retries: the status comment and the thread replies catch GitHubError
    # only, so a network failure must arrive as one (port 9 discards: nothing listens).
    unreachable = GitHub(api_url="http://127.0.0.1:9/api", repository="o/r", token="t")
    with pytest.raises(GitHubError, match="could not be reached to comment on #1"):
        unreachable.comment(Thread(1), "hello")
