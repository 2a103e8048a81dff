"""The GitHub fake's Git Data API (blobs, trees, commits, refs) over HTTP, as bot code calls it,
against the real bare repository: what it builds is what git builds, what it commits GitHub
signs, and a branch that requires signed commits refuses the rest, by API and by push."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from tests.action_rig import TOKEN
from tests.rig.git_remote import GitRemote, committed, git
from tests.rig.github_fake import GitHubFake

REPO = "octo-org/hello-world"


class Api:
    """Bare HTTP calls with the token as a bearer, as bot code makes them."""

    def __init__(self, github: GitHubFake) -> None:
        self.base = f"{github.api_url}/repos/{REPO}"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {github.token}"

    def __call__(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.session.request(method, self.base + path, json=body, timeout=30)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        answer = self(method, path, body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()


@pytest.fixture
def api(github: GitHubFake) -> Iterator[Api]:
    client = Api(github)
    yield client
    client.session.close()


def _authed(remote: GitRemote) -> str:
    url = urlsplit(remote.url)
    return urlunsplit(url._replace(netloc=f"x-access-token:{TOKEN}@{url.netloc}"))


def _push(work: Path, remote: GitRemote, refspec: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "push", _authed(remote), refspec],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def work(remote: GitRemote, tmp_path: Path) -> Path:
    """A clone whose main has a few more files (pushed): a script, a file to move, a folder
    with one file to delete."""
    work = remote.clone(tmp_path / "work")
    files = {"tool.sh": "echo hi\n", "old/name.txt": "moved\n", "gone/only.txt": "x\n"}
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    committed(work, "More files")
    assert _push(work, remote, "HEAD:refs/heads/main").returncode == 0
    return work


def _blob(api: Api, content: bytes) -> str:
    encoded = base64.b64encode(content).decode()
    sha: str = api.ok("POST", "/git/blobs", {"content": encoded, "encoding": "base64"})["sha"]
    return sha


def test_a_tree_the_api_builds_is_the_tree_git_builds(
    github: GitHubFake, api: Api, work: Path
) -> None:
    binary = bytes(range(256))
    submodule = "5" * 40
    main = api.ok("GET", "/git/ref/heads/main")["object"]["sha"]
    base = api.ok("GET", f"/git/commits/{main}")["tree"]["sha"]
    blob, script = _blob(api, binary), _blob(api, b"echo hi\n")
    change: list[tuple[str, str, str, dict[str, str | None]]] = [
        ("assets/logo.bin", "100644", "blob", {"sha": blob}),
        ("gone/only.txt", "100644", "blob", {"sha": None}),  # the folder's last file
        ("old/name.txt", "100644", "blob", {"sha": None}),  # moved to a new folder:
        ("new/place/name.txt", "100644", "blob", {"content": "moved\n"}),
        ("tool.sh", "100755", "blob", {"sha": script}),  # made executable
        ("link", "120000", "blob", {"content": "README.md"}),
        ("vendor/lib", "160000", "commit", {"sha": submodule}),
    ]
    entries = [{"path": p, "mode": m, "type": t, **what} for p, m, t, what in change]
    tree = api.ok("POST", "/git/trees", {"base_tree": base, "tree": entries})

    (work / "assets").mkdir()
    (work / "assets/logo.bin").write_bytes(binary)
    git("rm", "-q", "gone/only.txt", cwd=work)
    (work / "new/place").mkdir(parents=True)
    git("mv", "old/name.txt", "new/place/name.txt", cwd=work)
    (work / "tool.sh").chmod(0o755)
    os.symlink("README.md", work / "link")
    git("add", "-A", cwd=work)
    git("update-index", "--add", "--cacheinfo", f"160000,{submodule},vendor/lib", cwd=work)
    git("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "x", cwd=work)
    assert tree["sha"] == git("rev-parse", "HEAD^{tree}", cwd=work).strip()
    assert base64.b64decode(api.ok("GET", f"/git/blobs/{blob}")["content"]) == binary
    top = {e["path"]: (e["mode"], e["type"]) for e in tree["tree"]}
    assert top["link"] == ("120000", "blob")
    assert top["vendor"] == ("040000", "tree")
    assert "gone" not in top  # a folder left empty is gone
    assert github.validation_errors == []


def test_a_commit_github_makes_is_signed_and_lands_where_the_ref_points(
    github: GitHubFake, api: Api, remote: GitRemote, work: Path
) -> None:
    main = api.ok("GET", "/git/ref/heads/main")["object"]["sha"]
    base = api.ok("GET", f"/git/commits/{main}")["tree"]["sha"]
    created = api.ok("POST", "/git/refs", {"ref": "refs/heads/codex/issue-1", "sha": main})
    assert created["ref"] == "refs/heads/codex/issue-1"
    number = github.add_pull("codex/issue-1", "main", "Fix it")
    change = [{"path": "fix.txt", "mode": "100644", "type": "blob", "content": "fixed\n"}]
    tree = api.ok("POST", "/git/trees", {"base_tree": base, "tree": change})["sha"]
    author = {"name": "Mona", "email": "mona@example.com", "date": "2026-11-02T09:14:00+01:00"}
    body = {"message": "Fix it", "tree": tree, "parents": [main], "author": author}
    commit = api.ok("POST", "/git/commits", body)

    assert commit["verification"]["verified"] is True
    assert commit["verification"]["reason"] == "valid"
    assert commit["verification"]["signature"].startswith("-----BEGIN PGP SIGNATURE-----")
    assert commit["committer"]["name"] == "GitHub"
    assert commit["author"] == {**author, "date": "2026-11-02T08:14:00Z"}  # shown in UTC
    assert commit["sha"] in remote.objects.signed
    moved = api.ok("PATCH", "/git/refs/heads/codex/issue-1", {"sha": commit["sha"]})
    assert moved["object"]["sha"] == commit["sha"]
    assert api.ok("GET", "/git/ref/heads/codex/issue-1")["object"]["sha"] == commit["sha"]
    assert remote.pull_head(number) == commit["sha"]  # refs/pull/N/head follows the API too
    assert github.pulls[0].head == "codex/issue-1"
    git("fetch", "-q", _authed(remote), "codex/issue-1", cwd=work)
    assert git("rev-parse", "FETCH_HEAD", cwd=work).strip() == commit["sha"]
    assert git("show", "FETCH_HEAD:fix.txt", cwd=work) == "fixed\n"
    unsigned = dict(body, committer=author)
    plain = api.ok("POST", "/git/commits", unsigned)["verification"]
    assert (plain["verified"], plain["reason"], plain["signature"]) == (False, "unsigned", None)
    assert github.validation_errors == []


def test_refs_move_only_forward_unless_forced(github: GitHubFake, api: Api, work: Path) -> None:
    main = api.ok("GET", "/git/ref/heads/main")["object"]["sha"]
    first = git("rev-parse", "HEAD~1", cwd=work).strip()  # the seeded commit

    behind = api("PATCH", "/git/refs/heads/main", {"sha": first})
    assert (behind.status_code, behind.json()["message"]) == (422, "Update is not a fast forward")
    forced = api.ok("PATCH", "/git/refs/heads/main", {"sha": first, "force": True})
    assert forced["object"]["sha"] == first
    again = api("POST", "/git/refs", {"ref": "refs/heads/main", "sha": main})
    assert (again.status_code, again.json()["message"]) == (422, "Reference already exists")
    missing = api("PATCH", "/git/refs/heads/nope", {"sha": main})
    assert (missing.status_code, missing.json()["message"]) == (422, "Reference does not exist")
    assert api("GET", "/git/ref/heads/nope").status_code == 404
    assert github.validation_errors == []


def test_github_refuses_what_it_cannot_build(github: GitHubFake, api: Api, work: Path) -> None:
    main = api.ok("GET", "/git/ref/heads/main")["object"]["sha"]
    base = api.ok("GET", f"/git/commits/{main}")["tree"]["sha"]
    unknown = "7" * 40

    def refused(path: str, body: Any) -> tuple[int, str]:
        answer = api("POST", path, body)
        return answer.status_code, answer.json()["message"]

    entry = {"path": "a.txt", "mode": "100644", "type": "blob", "sha": unknown}
    assert refused("/git/trees", {"base_tree": base, "tree": [entry]}) == (
        422,
        f"tree.sha {unknown} is not a valid blob",
    )
    assert refused("/git/trees", {"base_tree": unknown, "tree": []}) == (
        422,
        "base_tree is not a valid tree oid",
    )
    delete = {"path": "absent.txt", "mode": "100644", "type": "blob", "sha": None}
    assert refused("/git/trees", {"base_tree": base, "tree": [delete]})[0] == 422
    both = {"path": "a.txt", "mode": "100644", "type": "blob", "sha": unknown, "content": "x"}
    assert refused("/git/trees", {"tree": [both]})[1].startswith("Must supply either tree.sha")
    assert refused("/git/commits", {"message": "m", "tree": unknown}) == (
        422,
        "Tree SHA does not exist",
    )
    assert api("GET", f"/git/commits/{unknown}").status_code == 404
    assert refused("/git/blobs", {"content": "x", "encoding": "latin-1"})[0] == 422
    assert github.validation_errors == []


def test_a_branch_requiring_signatures_takes_only_what_github_signed(
    github: GitHubFake, api: Api, remote: GitRemote, work: Path
) -> None:
    github.require_signatures("main")
    rules = api.ok("GET", "/rules/branches/main")
    assert [r["type"] for r in rules] == ["required_signatures"]
    (work / "local.txt").write_text("unsigned\n")
    local = committed(work, "Unsigned")

    pushed = _push(work, remote, "HEAD:refs/heads/main")
    assert pushed.returncode != 0
    assert "remote: error: GH013: Repository rule violations found for refs/heads/main." in (
        pushed.stderr
    )
    assert "remote: - Commits must have verified signatures." in pushed.stderr
    assert f"remote:   {local}" in pushed.stderr
    assert _push(work, remote, "HEAD:refs/heads/elsewhere").returncode == 0  # no rule there
    main = api.ok("GET", "/git/ref/heads/main")["object"]["sha"]
    tree = api.ok("GET", f"/git/commits/{local}")["tree"]["sha"]
    by = {"name": "Mona", "email": "mona@example.com"}
    body = {"message": "Via API", "tree": tree, "parents": [main], "committer": by}
    unsigned = api.ok("POST", "/git/commits", body)["sha"]
    refused = api("PATCH", "/git/refs/heads/main", {"sha": unsigned})
    assert refused.status_code == 422
    assert "Commits must have verified signatures." in refused.json()["message"]
    assert api("PATCH", "/git/refs/heads/main", {"sha": local}).status_code == 422

    del body["committer"]
    signed = api.ok("POST", "/git/commits", body)["sha"]
    assert api.ok("PATCH", "/git/refs/heads/main", {"sha": signed})["object"]["sha"] == signed
    assert remote.branch_sha("main") == signed
    body["parents"] = [signed]
    later = api.ok("POST", "/git/commits", body)["sha"]  # signed too: pushed by git this time
    api.ok("PATCH", "/git/refs/heads/elsewhere", {"sha": later, "force": True})
    git("fetch", "-q", _authed(remote), "elsewhere", cwd=work)
    assert _push(work, remote, f"{later}:refs/heads/main").returncode == 0
    assert remote.branch_sha("main") == later
    assert github.validation_errors == []


def test_without_git_objects_the_git_api_is_not_found() -> None:
    with GitHubFake() as github:
        answer = Api(github)("POST", "/git/blobs", {"content": "x"})
        assert answer.status_code == 404
        assert github.validation_errors == []
